// The timeline scrubber: drag back over the steps and each panel shows the nearest kept snapshot
// of its W (the core's thinned snapshots, those of the PCA: Lab.snapshot_steps / snapshot_data),
// the time plot marks that step, and a line says which steps are shown. The runs are not touched:
// let go (or play, or leave the slider) and every panel shows the race where it was again.

import { store } from "../store.js";
import { ui } from "./ui.js";
import { isPlaying, onLoop, pause, play, render, settled } from "./loop.js";

const $ = (id) => document.getElementById(id);

const sc = {
  active: false, // looking back: the panels show snapshots
  resume: false, // the race was playing when the reader took the slider
  pointer: false, // the slider is held by a pointer (let go: pointer up)
  runs: null, // each run's snapshots {steps, data} (column-major m × n), once gathered
  ask: 0, // bumped when looking back ends: a gathering still on its way is dropped
  mark: null, // the step's mark over the time plot
  dots: [], // each run's ring at that step over the trajectory plot
};

/** The index of the step nearest `step` among the first `len` of `steps`. */
export function nearestSnapshot(steps, step, len = steps.length) {
  let k = 0;
  for (let j = 1; j < len; j++) if (Math.abs(steps[j] - step) < Math.abs(steps[k] - step)) k = j;
  return k;
}

/** Snapshot k of `data` (column-major m × n) row-major, as the heatmaps draw it. */
function rowMajor(data, k, m, n) {
  const w = new Float64Array(m * n);
  const off = k * m * n;
  for (let c = 0; c < n; c++) for (let r = 0; r < m; r++) w[r * n + c] = data[off + c * m + r];
  return w;
}

/** Takes the slider: pauses the race (it goes on at let go if it played) and gathers the snapshots. */
async function grab() {
  if (sc.active) return;
  sc.active = true;
  sc.resume = isPlaying();
  if (sc.resume) pause();
  const ask = ++sc.ask;
  await settled();
  const runs = await store.stepper.snapshots();
  if (ask !== sc.ask || !sc.active) return;
  sc.runs = runs;
  show(Number($("scrub").value));
}

/** Each panel at its snapshot nearest `step`, the time plot's mark, and the line saying so. */
function show(step) {
  const slider = $("scrub");
  slider.setAttribute("aria-valuetext", `step ${step}`);
  if (!sc.runs) return;
  const m = store.rows;
  const n = store.cols;
  const shown = [];
  ui.runs.forEach((run, i) => {
    const s = sc.runs[i];
    if (!s || !s.steps.length || s.data.length < s.steps.length * m * n) return;
    const k = nearestSnapshot(s.steps, step);
    run.heatmap.draw(rowMajor(s.data, k, m, n));
    run.el.dataset.scrubStep = String(s.steps[k]);
    shown.push({ label: run.label, step: s.steps[k] });
  });
  const status = $("scrub-status");
  status.hidden = false;
  const same = new Set(shown.map((x) => x.step)).size === 1;
  const kept = same ? `all at step ${shown[0].step}` : shown.map((x) => `${x.label} ${x.step}`).join(", ");
  status.textContent = `Looking back at step ${step}: each panel's heatmap shows its W at the nearest step kept (${kept}); ` +
    `its figures stay those of step ${slider.max}. Let go to return.`;
  markStep(step);
}

/** A ring over the trajectory plot at each run's recorded point nearest `step` (its history). */
function markTrajectory(step) {
  const map = ui.views.trajectory?.plot?.lastMap;
  const box = $("trajectory-plot").getBoundingClientRect();
  ui.runs.forEach((run, i) => {
    const dot = (sc.dots[i] ??= document.body.appendChild(Object.assign(document.createElement("div"), { className: "scrub-dot" })));
    dot.setAttribute("aria-hidden", "true");
    const p = store.stepper.history(i);
    dot.hidden = !map || !p?.len || !store.enabled[i];
    if (dot.hidden) return;
    const k = nearestSnapshot(p.h.step, step, p.len);
    dot.style.left = `${box.left + window.scrollX + map.X(p.h.effective_rank[k])}px`;
    dot.style.top = `${box.top + window.scrollY + map.Y(p.h.train_error[k])}px`;
    dot.style.setProperty("--run-colour", run.colour);
    dot.dataset.step = String(p.h.step[k]);
  });
  for (const dot of sc.dots.slice(ui.runs.length)) dot.hidden = true;
}

/** A vertical mark at `step` over the time plot (when its x axis is the step). */
function markStep(step) {
  markTrajectory(step);
  const map = ui.views.time?.plot?.lastMap ?? ui.views.time?.lastMap;
  const canvas = $("test-error-plot");
  if (!map || store.view.x !== "step") {
    sc.mark.hidden = true;
    return;
  }
  const box = canvas.getBoundingClientRect();
  sc.mark.hidden = false;
  sc.mark.style.left = `${box.left + window.scrollX + map.X(step)}px`;
  sc.mark.style.top = `${box.top + window.scrollY + map.top}px`;
  sc.mark.style.height = `${map.bottom - map.top}px`;
  sc.mark.dataset.step = String(step);
}

/** Lets go: the panels show the race where it is, and it plays again if it played. */
function letGo() {
  sc.pointer = false;
  if (!sc.active) return;
  sc.active = false;
  sc.ask += 1;
  sc.runs = null;
  sc.mark.hidden = true;
  for (const dot of sc.dots) dot.hidden = true;
  $("scrub-status").hidden = true;
  const slider = $("scrub");
  slider.value = slider.max;
  slider.setAttribute("aria-valuetext", `step ${slider.max}, the race now`);
  for (const run of ui.runs) delete run.el.dataset.scrubStep;
  render();
  if (sc.resume) play();
}

export function initScrub() {
  const slider = $("scrub");
  if (!slider) return;
  sc.mark = document.createElement("div");
  sc.mark.className = "scrub-mark";
  sc.mark.setAttribute("aria-hidden", "true");
  sc.mark.hidden = true;
  document.body.append(sc.mark);
  // The slider's end is the race's step.
  onLoop("counter", (step) => {
    if (sc.active) return;
    slider.max = String(step);
    slider.value = String(step);
    slider.setAttribute("aria-valuetext", `step ${step}, the race now`);
  });
  onLoop("playing", (on) => on && letGo());
  onLoop("rewound", letGo);
  store.subscribe((kind) => kind === "reset" && letGo());
  slider.addEventListener("pointerdown", () => {
    sc.pointer = true;
    grab();
  });
  slider.addEventListener("input", () => (sc.active ? show(Number(slider.value)) : grab()));
  document.addEventListener("pointerup", () => sc.pointer && letGo());
  document.addEventListener("pointercancel", () => sc.pointer && letGo());
  slider.addEventListener("blur", letGo);
  slider.addEventListener("keydown", (e) => {
    if (e.key === "Escape") letGo();
  });
}
