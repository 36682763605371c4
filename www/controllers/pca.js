// The trajectories' PCA. One call of the core's trajectory_pca() costs a lot (a full eigen-
// decomposition of the K×K Gram matrix of K snapshots, K up to 128 per run: from tens of
// milliseconds to seconds). So it is computed on a timer, only while the plot is on screen,
// never per frame, and, when it would hold up the page (the stepper's `blocksPage`), by its
// predicted cost:
//   cheap (≤ PCA_LIVE_MS):        while playing, at most every max(1 s, 10 × cost);
//   dearer (≤ PCA_AUTO_MS):       once playing stops (pause, run length reached, step);
//   dearer still:                 only when asked, with the "update" button.
// Through workers it is computed in a worker of its own: the page never waits for it, so it is
// computed at any cost, while playing at most every max(1 s, 10 × cost).

import { PcaPlot } from "../views/pca.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { isPlaying, onLoop } from "./loop.js";

const $ = (id) => document.getElementById(id);

const PCA_LIVE_MS = 120;
const PCA_AUTO_MS = 2500;
/** Snapshots per run the core keeps: one per step up to 128, then thinned (between 64 and 128). */
const PCA_FULL_SNAPSHOTS = 128;
const PCA_THINNED_SNAPSHOTS = 96;

// rate: milliseconds per K³ (Chromium: 1–2·10⁻⁶) until this machine's own is measured;
// running: the computation under way (a promise), null when none.
const pca = { result: null, at: 0, cost: 0, rate: 2e-6, snapshots: 0, step: -1, dirty: true, visible: true, timer: null, running: null };

export function initPca() {
  ui.views.pca = new PcaPlot($("pca-plot"));
  ui.views.pca.plot.view.onResize = drawPca;
  $("pca-update").addEventListener("click", () => computePca(true));
  onLoop("stepped", markPcaDirty);
  onLoop("counter", updatePcaStatus);
  onLoop("playing", (playing) => { if (!playing) schedulePca(); });
  onLoop("rewound", restart);
  store.subscribe((kind, change) => {
    if (kind === "reset") restart();
    else if (kind === "hot" && change.enabled !== undefined) drawPca();
  });
  if (typeof IntersectionObserver === "undefined") return;
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      pca.visible = e.isIntersecting;
      if (e.isIntersecting) schedulePca();
      updatePcaStatus();
    }
  });
  io.observe($("pca-plot"));
}

/** The step the PCA shown was computed at, or null if none is shown. */
export function pcaStep() {
  return pca.result ? pca.step : null;
}

function restart() {
  pca.result = null;
  pca.cost = 0;
  markPcaDirty();
  drawPca();
}

function markPcaDirty() {
  pca.dirty = true;
  schedulePca();
}

/** About how many snapshots the next call will use. */
function pcaSnapshots() {
  let k = 0;
  for (const r of ui.runs) {
    const step = r.metrics?.step ?? 0;
    k += step < PCA_FULL_SNAPSHOTS ? step + 1 : PCA_THINNED_SNAPSHOTS;
  }
  return Math.max(k, 1);
}

/** The next call's cost, predicted: the eigen-decomposition of the K×K Gram matrix grows as K³. */
function pcaPredictedMs() {
  return Math.max(pca.cost, pca.rate * pcaSnapshots() ** 3);
}

function schedulePca() {
  const p = pca;
  if (p.timer !== null || p.running || !p.dirty || !p.visible || !store.lab) return;
  const playing = isPlaying();
  const predicted = pcaPredictedMs();
  // Through workers it never holds up the page, so it never waits.
  if (store.stepper.blocksPage && ((playing && predicted > PCA_LIVE_MS) || predicted > PCA_AUTO_MS)) {
    updatePcaStatus();
    return; // when playing stops, or on demand
  }
  const now = performance.now();
  const interval = Math.max(1000, 10 * p.cost);
  const wait = playing ? Math.max(0, p.at + interval - now) : 200;
  p.timer = setTimeout(() => {
    p.timer = null;
    computePca();
  }, wait);
}

/**
 * Computes the PCA through the stepper, one computation at a time (an older one ending last would
 * show an older projection); a change meanwhile marks it dirty again, and it is scheduled again
 * when this one ends.
 */
async function computePca(force = false) {
  const p = pca;
  if (!store.lab || (!p.dirty && !force) || p.running) return;
  p.dirty = false; // a reply from now on marks it again
  p.running = runPca();
  try {
    await p.running;
  } finally {
    p.running = null;
    schedulePca();
    updatePcaStatus();
  }
}

async function runPca() {
  const out = await store.stepper.pca();
  if (out.stale) {
    pca.dirty = true; // the experiment changed meanwhile: again later
    return;
  }
  if (out.gone) return;
  finishPca(out.result, out.cost, out.step ?? Number($("step-counter").dataset.step));
}

/** Keeps and draws a PCA that took `cost` ms and shows the runs up to `step`. */
function finishPca(result, cost, step) {
  const p = pca;
  p.cost = cost;
  p.at = performance.now();
  p.result = result && result.coords ? result : null;
  p.snapshots = p.result ? p.result.coords.reduce((a, c) => a + c.length, 0) : 0;
  // Learn this machine's cost per K³ once K is big enough for the cube to dominate.
  if (p.snapshots >= 200) p.rate = p.cost / p.snapshots ** 3;
  p.step = step;
  drawPca();
  updatePcaStatus();
}

function drawPca() {
  if (!ui.views.pca) return;
  const runs = ui.runs.map((r, i) => ({
    colour: r.colour, alpha: store.enabled[i] ? 1 : 0.25, dash: r.dash, marker: r.marker, enabled: store.enabled[i],
    diverged: !!r.metrics && r.metrics.diverged_at !== null,
  }));
  // At step 0 every run is at its start: no path yet, and a PCA of one point is rounding noise.
  ui.views.pca.draw(pca.result && pca.step > 0 ? pca.result : null, runs,
    pca.result ? "no paths yet: every run is at its start (press Play or Step)" : "computing…");
  const canvas = $("pca-plot");
  canvas.dataset.step = String(pca.result ? pca.step : -1);
  canvas.dataset.explained = pca.result ? pca.result.explained.join(",") : "";
}

function seconds(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 10) * 10} ms`;
}

function updatePcaStatus() {
  const p = pca;
  const predicted = pcaPredictedMs();
  const playing = isPlaying();
  const blocks = store.stepper.blocksPage;
  let text = "";
  let button = false;
  let stale = false;
  if (p.result) {
    text = `Shown: step ${p.step}.`;
    const current = Number($("step-counter").dataset.step);
    // Out of date: say so, never show an old projection as if it were the current one.
    stale = (p.dirty || p.running !== null || p.timer !== null) && current !== p.step;
    if (stale && blocks && predicted > PCA_AUTO_MS) {
      text += ` An update would take about ${seconds(predicted)} and freeze the page meanwhile.`;
      button = true;
    } else if (stale && blocks && playing && predicted > PCA_LIVE_MS) {
      text += ` One update takes about ${seconds(predicted)}, so it waits until playing stops.`;
      button = true;
    } else if (stale && !p.visible) {
      // Off screen it is not computed: say so, not "updating" (read as the figure's name meanwhile).
      text = `Shown: step ${p.step}; the runs are at step ${current}. It is brought up to date when the plot is on screen.`;
    } else if (stale) {
      text = `Shown: step ${p.step} (updating…).`;
    } else if (p.step < current) {
      // Up to date, yet behind the step counter: the paths are thinned snapshots.
      text = `Shown: step ${p.step}, the newest of the snapshots the paths keep (one every few steps).`;
    }
  }
  const canvas = $("pca-plot");
  canvas.dataset.stale = String(stale);
  const s = $("pca-status");
  if (s.textContent !== text) s.textContent = text;
  const b = $("pca-update");
  if (b.hidden === button) b.hidden = !button;
}

/**
 * Brings the PCA up to the runs' step before it is exported: it is computed only while on
 * screen, so a plot scrolled out of view would be saved as of an early step (a new user saved
 * "step 2" at step 3000). When it would hold up the page, only if not for long.
 */
export async function pcaUpToDate() {
  const p = pca;
  if (p.result && !p.dirty && !p.running) return;
  if (p.timer !== null) {
    clearTimeout(p.timer);
    p.timer = null;
  }
  if (!store.stepper.blocksPage) {
    while (p.running) await p.running.catch(() => {}); // the one under way first (one at a time)
    p.dirty = true;
    await computePca();
  } else if (pcaPredictedMs() <= PCA_AUTO_MS) await computePca(true);
}
