// The shared plots' options and captions: the time plot's figure, x axis and scale (view options,
// into their controls and the plot's axes and title), and what each caption says about the lines
// drawn (which end on top of each other, from the frame on screen: www/captions.js).

import { METRICS, X_AXES } from "../schema.js";
import { overlapSentence, valueRange } from "../captions.js";
import { formatFigure } from "../views/axes.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { onLoop, requestRender } from "./loop.js";

const $ = (id) => document.getElementById(id);

let timeAbout = ""; // the time plot's caption before what the lines drawn say

export function initTimePlot() {
  $("time-metric").addEventListener("change", () => {
    const view = $("time-metric").value;
    store.apply("view", { view, ylog: (METRICS[view]?.log ?? true) ? "1" : "0" });
  });
  $("time-x").addEventListener("change", () => store.apply("view", { x: $("time-x").value }));
  $("time-log").addEventListener("change", () => store.apply("view", { ylog: $("time-log").checked ? "1" : "0" }));
  store.subscribe((kind) => {
    if (kind === "view") showView();
  });
  onLoop("frame", showOverlaps);
  updateTimePlotAxes();
}

/** The view options into their controls, and the shared time plot's axes and caption. */
function showView() {
  const v = store.view;
  $("time-metric").value = v.view;
  $("time-x").value = v.x;
  $("time-log").checked = v.ylog === "1";
  $("show-observed").checked = v.dots === "1";
  updateTimePlotAxes();
}

function updateTimePlotAxes() {
  const metric = store.view.view;
  const x = store.view.x;
  const log = store.view.ylog === "1";
  const info = METRICS[metric] || { label: metric, caption: "" };
  const axis = X_AXES[x] ?? X_AXES.step;
  ui.views.time.setAxes({ xLabel: axis.axis, yLabel: `${info.label}${log ? " (log)" : ""}`, xLog: axis.log, yLog: log });
  $("time-title").textContent = `${info.label[0].toUpperCase()}${info.label.slice(1)} against ${axis.label}`;
  timeAbout = info.caption + axis.about;
  $("test-error-plot").setAttribute("aria-label", `${info.label} against ${axis.label}, one line per run`);
  showOverlaps();
  requestRender();
}

/** Writes `text` into element `id` if it differs (captions are rewritten every frame). */
function put(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

/** Which lines end on top of each other, as drawn in this frame (nothing when none do). */
function showOverlaps() {
  const label = (METRICS[store.view.view] || { label: store.view.view }).label;
  const time = overlapSentence(ui.views.time.endRows, (r) => `${label} ${valueRange(r.values)}`);
  put("time-caption", time ? `${timeAbout} ${time}` : timeAbout);
  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  put("trajectory-overlap", overlapSentence(ui.views.trajectory.plot.endRows,
    (r) => `effective rank ${formatFigure(mean(r.xs))}, train error ${valueRange(r.values)}`));
}
