// Each dimension card's last day: the complaints that arrived in each hour as bars, in
// front of what the spike detector expected in that hour (its seasonal baseline) as a
// band, so a surge stands out before an alert fires. The hour under way comes last,
// both its bar and its band counted up to now.
"use strict";

const TREND_WORDS = {
  id: { hours: "24 jam", usual: "biasanya" },
  en: { hours: "24 h", usual: "usual" },
};
// The sparkline's own units; it stretches to its box, and its lines keep their width.
// Its elements are made with svgElement (map.js) and element (wall.js).
const TREND_WIDTH = 240;
const TREND_HEIGHT = 100;

function trendFigure() {
  const figure = element("figure", { class: "trend" });
  const svg = svgElement("svg", { viewBox: `0 0 ${TREND_WIDTH} ${TREND_HEIGHT}`,
    preserveAspectRatio: "none", "data-trend": "" });
  const words = TREND_WORDS[lang];
  const caption = element("figcaption");
  caption.append(element("span", { class: "hours" }, words.hours),
    element("span", { class: "usual" }, words.usual));
  figure.append(svg, caption);
  return figure;
}

// A round top for the scale, so bars of a quiet and of a busy hour keep their height
// from one minute to the next.
function trendTop(largest) {
  const rough = Math.max(largest, 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((top) => top >= rough);
}

function renderTrend(figure, trend) {
  figure.hidden = !trend;
  const svg = figure.querySelector("svg");
  svg.replaceChildren();
  if (!trend) return;
  const hours = trend.hours;
  const top = trendTop(Math.max(...hours.map((h) => Math.max(h.arrivals, h.expected))));
  const step = TREND_WIDTH / hours.length;
  const y = (value) => TREND_HEIGHT * (1 - value / top);
  // The band fills up to what was expected, an hour at a time; its edge shows the level
  // where a bar covers the band.
  const steps = hours.map((hour, n) => `V${y(hour.expected)}H${(n + 1) * step}`).join("");
  svg.append(
    svgElement("path", { class: "band", d: `M0 ${TREND_HEIGHT}${steps}V${TREND_HEIGHT}Z` }),
    svgElement("path", { class: "edge", d: `M0 ${y(hours[0].expected)}${steps}` }));
  hours.forEach((hour, n) => {
    const height = TREND_HEIGHT - y(hour.arrivals);
    svg.append(svgElement("rect", {
      class: n === hours.length - 1 ? "bar now" : "bar",
      x: n * step + step * 0.2, width: step * 0.6, y: TREND_HEIGHT - height, height,
      "data-start": hour.start, "data-arrivals": hour.arrivals, "data-expected": hour.expected,
    }));
  });
  svg.append(svgElement("path", { class: "axis", d: `M0 ${TREND_HEIGHT - 0.5}H${TREND_WIDTH}` }));
  svg.dataset.until = trend.until;
  svg.dataset.top = String(top);
}
