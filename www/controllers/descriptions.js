// Canvases that carry their numbers: each canvas's accessible description (aria-describedby, a
// hidden text) holds the numbers it last drew (a run's test error and effective rank, a plot's
// last values, the sweep's best rates) and points to the live tables. Rewritten at most every
// EVERY_MS while the runs step, and always after the last frame; never every frame.

import { runFigures } from "../captions.js";
import { formatFigure, formatNumber } from "../views/axes.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { onFrameEvery } from "./loop.js";
import { sweepLines } from "./sweep.js";

const $ = (id) => document.getElementById(id);

/** The descriptions follow the frames at most this often (ms). */
export const EVERY_MS = 400;

const FIGURES_TABLE = "Every run's figures, as they change: the table “Each run's figures” after the panels.";
const PLOT_TABLE = "This plot's numbers: “Show the numbers as a table” below it.";

let box = null; // the hidden texts, one per canvas
let count = 0;
const texts = new WeakMap(); // canvas → its hidden text

/** Sets `canvas`'s description to `text` (a hidden element it is described by, besides the tooltips'). */
function describe(canvas, text) {
  if (!canvas) return;
  let el = texts.get(canvas);
  if (!el || !el.isConnected) {
    el = document.createElement("span");
    el.id = `${canvas.id || "canvas"}-numbers-${++count}`;
    el.className = "canvas-numbers";
    box.append(el);
    texts.set(canvas, el);
  }
  const ids = (canvas.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!ids.includes(el.id)) canvas.setAttribute("aria-describedby", [el.id, ...ids].join(" "));
  if (el.textContent !== text) el.textContent = text;
}

/** Each run's numbers from what its panel last drew (run.metrics). */
function drawnRun(run) {
  const m = run.metrics || {};
  return { label: run.label, test: m.test_error, train: m.train_error, rank: m.effective_rank, diverged: m.diverged_at, step: m.step ?? 0 };
}

/** The time plot's lines as last drawn: each labelled line's last value and where. */
function timeText() {
  const [series] = ui.views.time?.last ?? [[]];
  const title = $("time-title").textContent;
  const time = /time t/.test(title);
  const ends = series.filter((s) => s.label && s.len > 0).map((s) => {
    const x = s.x[s.len - 1];
    return `${s.label} ${formatFigure(s.y[s.len - 1])} at ${time ? `time ${formatFigure(x)}` : `step ${x}`}`;
  });
  return `${title}, the last values drawn: ${ends.length ? ends.join("; ") : "none yet"}. ${PLOT_TABLE} ${FIGURES_TABLE}`;
}

/** The sweep's best rates, from its table's numbers. */
function sweepText() {
  const sweep = sweepLines();
  if (!sweep) return "No sweep has finished yet.";
  const best = sweep.lines.map((l) => {
    const p = l.points.find((q) => q.lr === l.best);
    return l.best === null ? `${l.label}: diverged at every rate` : `${l.label}: best rate ${formatNumber(l.best)} (final test error ${formatFigure(p?.test)})`;
  });
  return `Final test error after ${sweep.steps} steps at each rate; ${best.join("; ")}. The best rates are also in the table beside the plot.`;
}

/** The largest singular values (at most three, none that is rounding next to the largest). */
function topValues(who, sv) {
  if (!sv?.length) return `${who}: no singular values yet.`;
  const top = [...sv].slice(0, 3).filter((v) => v > 1e-9 * sv[0]);
  return `${who}'s largest singular values: ${top.map(formatFigure).join(", ")} (of ${sv.length}).`;
}

function update() {
  const runs = ui.runs.filter((run) => store.enabled[run.index]).map(drawnRun);
  const step = Math.max(0, ...runs.map((r) => r.step));
  const each = (fields) => (runs.length ? runs.map((r) => runFigures(r, fields)).join("; ") : "no runs on");
  describe($("test-error-plot"), timeText());
  describe($("trajectory-plot"), `At step ${step}: ${each(["train", "rank"])}. ${FIGURES_TABLE}`);
  describe($("pca-plot"), `At step ${step}: ${each(["test", "rank"])}. ${FIGURES_TABLE}`);
  describe($("sens-plot"), sweepText());
  // W*'s panel: the figures beside it (rank, effective rank, entries seen, largest entry).
  const truth = [...document.querySelectorAll("#truth-panel dl > div:not([hidden])")]
    .map((d) => `${d.querySelector("dt")?.textContent} ${d.querySelector("dd")?.textContent}`).join(", ");
  describe(ui.views.truthHeatmap?.canvas, `W*: ${truth}.`);
  describe(ui.views.yHeatmap?.canvas, `The seen values Y: ${$("truth-observed")?.textContent ?? ""} entries.`);
  const tsv = ui.views.truthBars?.values;
  if (tsv?.length) describe(ui.views.truthBars.canvas, topValues("W*", tsv));
  for (const run of ui.runs) {
    const r = drawnRun(run);
    describe(run.heatmap?.canvas, `${runFigures(r)}, at step ${r.step}. ${FIGURES_TABLE}`);
    describe(run.bars?.canvas, topValues(run.label, run.bars?.values));
  }
  // The texts of panels that are gone go with them.
  for (const el of [...box.children]) {
    if (!document.querySelector(`[aria-describedby~="${el.id}"]`)) el.remove();
  }
}

export function initDescriptions() {
  box = document.createElement("div");
  box.id = "canvas-numbers";
  box.hidden = true;
  document.body.append(box);
  const now = onFrameEvery(EVERY_MS, update);
  // The sweep's plot changes while the race is paused: follow its state.
  if ($("sensitivity")) new MutationObserver(now).observe($("sensitivity"), { attributes: true, attributeFilter: ["data-state"] });
  now();
}
