// Keeping a list inside its box: nobody scrolls a wall, so what does not fit is hidden
// whole (never cut in half), and for the alerts a last line says how many, by severity.
"use strict";

function overflows(box) {
  return box.scrollHeight > box.clientHeight + 1;
}

// Hide the last items of `list` until it fits. `summary(hidden)` builds the line that
// replaces them (or null for none); it is measured too, so it always fits with them.
function fitList(list, summary) {
  const items = [...list.children].filter((item) => !item.classList.contains("more"));
  list.querySelectorAll(":scope > .more").forEach((node) => node.remove());
  items.forEach((item) => { item.hidden = false; });
  if (!overflows(list)) return 0;
  let shown = items.length;
  let line = null;
  while (shown > 0) {
    shown -= 1;
    items[shown].hidden = true;
    if (line) line.remove();
    line = summary ? summary(items.slice(shown)) : null;
    if (line) list.append(line);
    if (!overflows(list)) break;
  }
  return items.length - shown;
}
