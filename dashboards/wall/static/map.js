// The city as a tile map: every kelurahan an equal square where the city profile puts it,
// each kecamatan outlined and named, each tile filled by its open complaints and edged in
// red, with the count in a red corner, when some of them are past their deadline. Drawn in
// SVG in units of its own (a tile is 100 wide), so it scales with the screen; no base map.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAP_WORDS = {
  id: { title: "Aduan terbuka", overdue: "lewat tenggat" },
  en: { title: "Open complaints", overdue: "overdue" },
};
const TILE = 100;
const GAP = 10; // between tiles; a kecamatan's outline runs along its middle
const BAND = 24; // the strip above or below the tiles that holds kecamatan names
const EDGE = 4; // room for the outline at the map's border
const NAME_SIZE = 18;
const COUNT_SIZE = 32;
const LATE_WIDTH = 28; // the overdue corner
let drawnMap = ""; // the layout drawn, so a snapshot redraws only what changes

function svgElement(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text) node.textContent = text;
  return node;
}

// The lower bounds of the four colours after "none open": round steps of a quarter of
// the largest count (1, 10, 20, 30 for 25 to 40), so colours hold while counts drift.
function countClasses(largest) {
  const rough = Math.max(largest / 4, 2);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return [1, step, 2 * step, 3 * step];
}

function countClass(open, lowers) {
  let found = 0;
  lowers.forEach((lower, n) => { if (open >= lower) found = n + 1; });
  return found;
}

function legendText(lowers, n) {
  if (n === 0) return counts.format(0);
  if (n === lowers.length) return `≥ ${counts.format(lowers[n - 1])}`;
  const low = lowers[n - 1], high = lowers[n] - 1;
  return low === high ? counts.format(low) : `${counts.format(low)}–${counts.format(high)}`;
}

// The tiles edged in red: those with at least half the largest overdue count, so the
// edge picks out where it is worst even when every kelurahan has some (the corner
// still gives each its count).
function edgeFrom(areas) {
  const largest = Math.max(0, ...Object.values(areas).map((a) => a.overdue || 0));
  return Math.max(1, Math.ceil(largest / 2));
}

function renderLegend(lowers, edged) {
  const legend = $("map-legend");
  legend.replaceChildren();
  for (let n = 0; n <= lowers.length; n += 1) {
    const entry = element("li", { "data-class": String(n) });
    entry.append(element("i", { class: `swatch c${n}` }), legendText(lowers, n));
    legend.append(entry);
  }
  const late = element("li", { "data-class": "overdue" });
  late.append(element("i", { class: "swatch overdue" }),
    `${edged > 1 ? `≥ ${counts.format(edged)} ` : ""}${MAP_WORDS[lang].overdue}`);
  legend.append(late);
}

// Where things go, in map units: the name bands exist only when a name sits in them.
function mapGeometry(layout) {
  const top = layout.kecamatan.some((k) => k.side === "above" && k.row === 0) ? BAND : 0;
  const bottom = layout.kecamatan.some((k) => k.side === "below" && k.row === layout.rows - 1) ? BAND : 0;
  return {
    x: (col) => EDGE + GAP / 2 + col * (TILE + GAP),
    y: (row) => top + EDGE + GAP / 2 + row * (TILE + GAP),
    width: 2 * EDGE + layout.cols * (TILE + GAP),
    height: top + bottom + 2 * EDGE + layout.rows * (TILE + GAP),
  };
}

// Each side of a tile that does not touch a tile of its own kecamatan is a piece of that
// kecamatan's outline, in the middle of the gap; between two kecamatan the pieces meet.
function outlinePath(layout, at) {
  const kecamatanAt = new Map(layout.tiles.map((t) => [`${t.row},${t.col}`, t.kecamatan]));
  const half = GAP / 2;
  const pieces = [];
  for (const t of layout.tiles) {
    const left = at.x(t.col) - half, right = at.x(t.col) + TILE + half;
    const top = at.y(t.row) - half, bottom = at.y(t.row) + TILE + half;
    const apart = (row, col) => kecamatanAt.get(`${row},${col}`) !== t.kecamatan;
    if (apart(t.row - 1, t.col)) pieces.push(`M${left} ${top}H${right}`);
    if (apart(t.row + 1, t.col)) pieces.push(`M${left} ${bottom}H${right}`);
    if (apart(t.row, t.col - 1)) pieces.push(`M${left} ${top}V${bottom}`);
    if (apart(t.row, t.col + 1)) pieces.push(`M${right} ${top}V${bottom}`);
  }
  return pieces.join("");
}

// Squeeze a text into `room` map units when the font draws it wider (a long name, a
// screen without the condensed face).
function fitText(node, room) {
  node.removeAttribute("textLength");
  node.removeAttribute("lengthAdjust");
  if (node.getComputedTextLength() > room) {
    node.setAttribute("textLength", String(room));
    node.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }
}

// A name on one line, or on two broken at the space that keeps the longer line shortest.
function nameLines(name) {
  const words = name.split(" ");
  const longest = (lines) => Math.max(...lines.map((line) => line.length));
  return words.slice(1).map((_, n) => [words.slice(0, n + 1).join(" "), words.slice(n + 1).join(" ")])
    .reduce((best, lines) => (longest(lines) < longest(best) ? lines : best), [name]);
}

function drawTile(tile, at) {
  const x = at.x(tile.col), y = at.y(tile.row);
  const group = svgElement("g", { class: "tile", "data-kelurahan": tile.key, "data-kecamatan": tile.kecamatan });
  group.append(svgElement("rect", { x, y, width: TILE, height: TILE, rx: 6 }));
  const lines = nameLines(tile.name);
  const name = svgElement("text", { class: "name", x: x + TILE / 2, y: y + 6 + NAME_SIZE, "font-size": NAME_SIZE });
  lines.forEach((line, n) => name.append(svgElement("tspan", { x: x + TILE / 2, dy: n ? NAME_SIZE * 1.1 : 0 }, line)));
  const count = svgElement("text", { class: "count", x: x + TILE / 2, y: y + TILE - 11, "font-size": COUNT_SIZE });
  // The overdue count sits in the tile's lower right corner, on red, apart from the
  // open count it is part of.
  const late = svgElement("g", { class: "late" });
  late.append(svgElement("rect", { x: x + TILE - LATE_WIDTH - 2, y: y + TILE - 26, width: LATE_WIDTH, height: 24, rx: 4 }),
    svgElement("text", { x: x + TILE - 2 - LATE_WIDTH / 2, y: y + TILE - 8, "font-size": 18 }));
  group.append(name, count, late);
  return group;
}

function drawKecamatanName(label, at) {
  const room = label.span * (TILE + GAP) - GAP;
  const x = at.x(label.col);
  const y = label.side === "above" ? at.y(label.row) - GAP / 2 - 7
    : label.side === "below" ? at.y(label.row) + TILE + GAP / 2 + BAND - 7
    : at.y(label.row) + NAME_SIZE; // over its first tile, edged in the page's colour
  const text = svgElement("text", { class: `kecamatan ${label.side}`, x, y, "data-kecamatan": label.key }, label.name);
  return { text, room };
}

function drawMap(layout) {
  $("map-title").textContent = MAP_WORDS[lang].title;
  const svg = $("map-tiles");
  const at = mapGeometry(layout);
  svg.setAttribute("viewBox", `0 0 ${at.width} ${at.height}`);
  svg.replaceChildren();
  svg.append(...layout.tiles.map((tile) => drawTile(tile, at)));
  svg.append(svgElement("path", { class: "outline", d: outlinePath(layout, at) }));
  for (const label of layout.kecamatan) {
    const { text, room } = drawKecamatanName(label, at);
    svg.append(text);
    fitText(text, room);
  }
  for (const line of svg.querySelectorAll(".tile tspan")) fitText(line, TILE - 8);
}

// The tiles' counts and colours; the tile's shape and names stay as drawn. The overdue
// marks are the tile's corner and edge, not its fill: the fill keeps saying how many are open.
function renderMap(layout, areas) {
  const key = JSON.stringify(layout);
  if (key !== drawnMap) { drawMap(layout); drawnMap = key; }
  const lowers = countClasses(Math.max(0, ...Object.values(areas).map((a) => a.open)));
  const edged = edgeFrom(areas);
  for (const tile of $("map-tiles").querySelectorAll(".tile")) {
    const area = areas[tile.dataset.kelurahan];
    const open = area ? area.open : 0;
    const overdue = area && area.overdue ? area.overdue : 0;
    const marks = `${overdue ? " has-late" : ""}${overdue >= edged ? " overdue" : ""}`;
    tile.setAttribute("class", `tile c${countClass(open, lowers)}${marks}`);
    tile.dataset.open = String(open);
    tile.dataset.overdue = String(overdue);
    const count = tile.querySelector(".count");
    count.textContent = counts.format(open);
    // With an overdue corner, the open count centres in the room left of it.
    const left = +tile.querySelector("rect").getAttribute("x");
    const room = overdue ? TILE - LATE_WIDTH - 6 : TILE - 10;
    count.setAttribute("x", String(left + (overdue ? (TILE - LATE_WIDTH) / 2 : TILE / 2)));
    fitText(count, room);
    const late = tile.querySelector(".late text");
    late.textContent = overdue ? counts.format(overdue) : "";
    fitText(late, LATE_WIDTH - 4);
  }
  renderLegend(lowers, edged);
}
