// The wall page: one EventSource, one snapshot per change, no framework and no CDN.
"use strict";

const WORDS = {
  id: {
    title: "Pusat Komando Smart City", open: "aduan terbuka", received: "Diterima hari ini",
    resolved: "Selesai hari ini", overdue: "lewat tenggat", realization: "Realisasi program", alerts: "Peringatan aktif",
    newest: "Aduan terbaru", noAlerts: "Tidak ada peringatan", acknowledged: "diakui oleh",
    target: "target", more: "lainnya", critical: "kritis", warning: "peringatan", with: "bersama",
    units: { visits: "kunjungan", index: "" },
    live: "langsung", connecting: "menyambung…", stale: "terputus",
    statuses: { received: "diterima", verified: "diverifikasi", dispatched: "diteruskan",
      in_progress: "dikerjakan", resolved: "selesai", rejected: "ditolak", reopened: "dibuka lagi" },
  },
  en: {
    title: "Smart City Command Center", open: "open complaints", received: "Received today",
    resolved: "Resolved today", overdue: "overdue", realization: "Program realization", alerts: "Active alerts",
    newest: "Newest complaints", noAlerts: "No alerts", acknowledged: "acknowledged by",
    target: "target", more: "more", critical: "critical", warning: "warning", with: "with",
    units: { visits: "visits", index: "" },
    live: "live", connecting: "connecting…", stale: "disconnected",
    statuses: { received: "received", verified: "verified", dispatched: "dispatched",
      in_progress: "in progress", resolved: "resolved", rejected: "rejected", reopened: "reopened" },
  },
};
const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "id";
const words = WORDS[lang];
const $ = (id) => document.getElementById(id);
const locale = lang === "id" ? "id-ID" : "en-GB";
// Counts are whole things (1.029 in Indonesian, 1,029 in English); percentages and
// indices keep at most two decimals.
const counts = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
const RATIO_UNITS = new Set(["%", "index"]);
const SEVERITIES = ["critical", "warning"];

function figureNumber(value, unit) {
  return (RATIO_UNITS.has(unit) ? numbers : counts).format(value);
}

function unitWord(unit) {
  return unit === "%" ? "%" : words.units[unit] ?? unit;
}

function figureText(value, unit) {
  const word = unitWord(unit);
  return `${figureNumber(value, unit)}${word && word !== "%" ? " " : ""}${word}`;
}
let timeZone; // the city's, from the first snapshot

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function card(dimension) {
  const node = element("article", { class: "card", "data-dimension": dimension.key });
  node.append(element("h3", {}, dimension.label[lang]));
  // The open count and, beside it, the last day of arrivals (trend.js).
  const open = element("div", { class: "open" });
  const count = element("div", { class: "count" });
  // Under the open count, how many of them are past a service-level deadline.
  count.append(element("span", { "data-figure": "open" }), element("small", {}, words.open),
    element("small", { class: "late", "data-figure": "overdue" }));
  open.append(count, trendFigure());
  node.append(open);
  for (const [figure, label] of [["received_today", words.received],
      ["resolved_today", words.resolved], ["realization_pct", words.realization]]) {
    const row = element("div", { class: "row" }, label);
    row.append(element("b", { "data-figure": figure }));
    node.append(row);
  }
  node.append(element("div", { class: "headline", "data-figure": "headline" }));
  return node;
}

// The figures are the structure of pantau/state/figures.py, as the server computed them.
function renderDimensions(dimensions, alerts) {
  const section = $("dimensions");
  const alerting = new Set(alerts.filter((a) => a.state === "firing").map((a) => a.dimension));
  for (const dimension of dimensions) {
    let node = section.querySelector(`[data-dimension="${dimension.key}"]`);
    if (!node) { node = card(dimension); section.append(node); }
    node.classList.toggle("alerting", alerting.has(dimension.key));
    const set = (figure, text) => { node.querySelector(`[data-figure="${figure}"]`).textContent = text; };
    const complaints = dimension.complaints, realization = dimension.programs.realization_pct;
    set("open", counts.format(complaints.open));
    // A long count takes a smaller size, so the sparkline beside it keeps its room.
    node.querySelector(".count").classList.toggle("long", counts.format(complaints.open).length > 3);
    renderTrend(node.querySelector(".trend"), dimension.trend);
    set("received_today", counts.format(complaints.received_today));
    set("resolved_today", counts.format(complaints.resolved_today));
    // Open complaints past a service-level deadline (pantau/state/service_judge.py): red
    // while there are any, since each one is a promise to a citizen already broken.
    const overdue = complaints.service ? complaints.service.overdue : null;
    const late = node.querySelector('[data-figure="overdue"]');
    late.textContent = overdue === null ? "" : `${counts.format(overdue)} ${words.overdue}`;
    late.dataset.value = overdue === null ? "" : String(overdue);
    late.classList.toggle("bad", overdue > 0);
    set("realization_pct", realization === null ? "–" : `${numbers.format(realization)}%`);
    const headline = node.querySelector('[data-figure="headline"]');
    headline.replaceChildren();
    const h = dimension.headline;
    if (h) {
      headline.append(`${h.label[lang]} (${h.period}) `);
      const value = element("b", { class: h.on_target === null ? "" : h.on_target ? "good" : "bad",
        "data-figure": "headline_value", "data-value": String(h.value) }, figureNumber(h.value, h.unit));
      // A word unit is smaller, and may go to the next line, so a long count keeps its box.
      const word = unitWord(h.unit);
      if (word === "%") value.append(word);
      else if (word) value.append(" ", element("span", { class: "unit" }, word));
      headline.append(value);
      if (h.change !== null) {
        const arrow = h.change > 0 ? "▲" : h.change < 0 ? "▼" : "=";
        headline.append(" ", element("span", { "data-figure": "headline_change" },
          `${arrow} ${figureNumber(Math.abs(h.change), h.unit)}`));
      }
      // The colour says on or off target; the target itself says by how much.
      if (h.target !== null) {
        headline.append(" ", element("small", { "data-figure": "headline_target" },
          `${words.target} ${figureText(h.target, h.unit)}`));
      }
    }
  }
}

// What needs a person first comes first: firing before acknowledged, critical before
// warning, the city's incidents before the pipeline's alerts, then the newest.
function alertOrder(a, b) {
  return (a.state === "firing" ? 0 : 1) - (b.state === "firing" ? 0 : 1)
    || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)
    || (a.kind === "incident" ? 0 : 1) - (b.kind === "incident" ? 0 : 1)
    || Date.parse(b.started_at) - Date.parse(a.started_at);
}

// "+7 lainnya · 3 kritis · 4 peringatan": the alerts that did not fit, by severity.
function moreLine(hidden) {
  const line = element("li", { class: "more", id: "alerts-more", "data-hidden": String(hidden.length) });
  line.append(`+${counts.format(hidden.length)} ${words.more}`);
  for (const severity of SEVERITIES) {
    const n = hidden.filter((item) => item.dataset.severity === severity).length;
    line.dataset[severity] = String(n);
    if (n) line.append(" · ", element("span", { class: severity }, `${counts.format(n)} ${words[severity]}`));
  }
  return line;
}

// One line per incident (a surge, however many of its categories and areas spiked with
// it) and per pipeline alert; an incident's other parts are named under its headline.
// Rebuilt only when the alerts change: a rebuilt line would restart its flash with every
// snapshot, and an operator would see the lines stutter instead of blink.
let shownAlerts = null;
function renderAlerts(alerts) {
  const key = JSON.stringify(alerts);
  if (key === shownAlerts) return;
  shownAlerts = key;
  const list = $("alerts");
  list.replaceChildren();
  if (!alerts.length) { list.append(element("li", { class: "none" }, words.noAlerts)); return; }
  for (const alert of [...alerts].sort(alertOrder)) {
    const item = element("li", { class: `${alert.state} ${alert.severity}`, "data-alert": alert.id,
      "data-kind": alert.kind, "data-severity": alert.severity });
    item.append(element("span", { class: "text" }, alert.text[lang]));
    if (alert.state === "acknowledged" && alert.acknowledged_by) item.append(` · ${words.acknowledged} ${alert.acknowledged_by}`);
    if (alert.also.length) {
      item.append(element("small", { class: "also" }, `${words.with} ${alert.also.map((part) => part[lang]).join(" · ")}`));
    }
    list.append(item);
  }
}

function fitColumn() {
  fitList($("alerts"), moreLine);
  fitList($("newest"), null);
}

function renderNewest(lines) {
  const list = $("newest");
  list.replaceChildren();
  for (const line of lines) {
    const when = new Date(line.occurred_at).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone });
    const item = element("li", { "data-complaint": line.complaint_id });
    item.append(element("span", { class: "when" }, when),
      element("span", { class: "what" }, `${lang === "id" ? line.category_id : line.category_en} · ${line.kelurahan}`),
      element("span", { class: "status" }, words.statuses[line.status] || line.status));
    list.append(item);
  }
}

let lastUpdate = 0;
function render(snapshot) {
  $("city").textContent = snapshot.figures.city;
  if (timeZone !== snapshot.timezone) { timeZone = snapshot.timezone; tick(); }
  renderDimensions(snapshot.figures.dimensions, snapshot.alerts);
  renderMap(snapshot.map, snapshot.figures.areas);
  renderAlerts(snapshot.alerts);
  renderNewest(snapshot.newest);
  fitColumn();
  freshnessReceived(snapshot.freshness, { lang, locale, timeZone });
  lastUpdate = Date.now();
  document.body.dataset.updated = String(lastUpdate);
}

function connection(state) {
  const node = $("connection");
  node.dataset.state = state;
  node.textContent = words[state];
}

function connect() {
  // EventSource reconnects by itself after a drop, waiting the server's `retry` time.
  const source = new EventSource("/events");
  source.addEventListener("snapshot", (event) => { connection("live"); render(JSON.parse(event.data)); });
  source.addEventListener("open", () => connection("live"));
  source.addEventListener("error", () => connection(source.readyState === EventSource.CLOSED ? "stale" : "connecting"));
  return source;
}

function tick() {
  $("clock").textContent = new Date().toLocaleTimeString(locale, { timeZone });
}

document.documentElement.lang = lang;
$("title").textContent = words.title;
$("alerts-title").textContent = words.alerts;
$("newest-title").textContent = words.newest;
connection("connecting");
tick();
setInterval(tick, 1000);
setInterval(() => showFreshness({ lang, locale, timeZone }), 1000);
window.addEventListener("resize", fitColumn);
connect();
