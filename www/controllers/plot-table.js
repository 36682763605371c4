// The numbers behind the time plot, as a table (a toggle under the plot): the x values (step or
// time t) down the side, one column per line drawn, read from what the plot last drew; at most
// ROWS rows, evenly spaced, always with the last. Rebuilt at most once a second while shown.

import { formatFigure } from "../views/axes.js";
import { ui } from "./ui.js";
import { onFrameEvery } from "./loop.js";

const $ = (id) => document.getElementById(id);
const ROWS = 12;

/** Each line's value at or before x (its history is in x order), or NaN before its first point. */
function valueAt(s, x) {
  let v = NaN;
  for (let k = 0; k < s.len && s.x[k] <= x; k++) v = s.y[k];
  return v;
}

/** [{x, values}] for the series drawn (each {x, y, len, label}): ROWS x values of the longest. */
export function tableRows(series, rows = ROWS) {
  const longest = series.reduce((a, s) => (s.len > (a?.len ?? 0) ? s : a), null);
  if (!longest) return [];
  const n = longest.len;
  const picks = [...new Set(Array.from({ length: Math.min(rows, n) }, (_, r) => Math.round((r * (n - 1)) / Math.max(1, Math.min(rows, n) - 1))))];
  return picks.map((k) => ({ x: longest.x[k], values: series.map((s) => valueAt(s, longest.x[k])) }));
}

function build() {
  const [drawn] = ui.views.time.last ?? [[]];
  const series = drawn.filter((s) => s.label && s.len > 0);
  const table = $("time-table").querySelector("table");
  table.caption.textContent = `${$("time-title").textContent}: the numbers drawn`;
  const head = document.createElement("tr");
  const cell = (tag, text, scope) => {
    const c = document.createElement(tag);
    c.textContent = text;
    if (scope) c.scope = scope;
    return c;
  };
  const time = /time t/.test($("time-title").textContent);
  head.append(cell("th", time ? "time t" : "step", "col"), ...series.map((s) => cell("th", s.label, "col")));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...tableRows(series).map((r) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", time ? formatFigure(r.x) : String(r.x), "row"), ...r.values.map((v) => cell("td", Number.isFinite(v) ? formatFigure(v) : "–")));
    return tr;
  }));
}

export function initPlotTable() {
  const button = $("time-table-toggle");
  const box = $("time-table");
  const update = onFrameEvery(1000, () => {
    if (!box.hidden) build();
  });
  button.addEventListener("click", () => {
    box.hidden = !box.hidden;
    button.setAttribute("aria-expanded", String(!box.hidden));
    button.textContent = box.hidden ? "Show the numbers as a table" : "Hide the table";
    if (!box.hidden) update();
  });
}
