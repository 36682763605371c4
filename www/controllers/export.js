// Export: a PNG of any view (titled, with its legend), a CSV of every run's histories, a JSON of
// the config and the matrices, and the link to the experiment.

import { HISTORY_METRICS } from "../schema.js";
import { download, downloadCanvasPng, historiesCsv } from "../views/export.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { messageOf } from "./experiment.js";
import { showCoreError } from "./loop.js";
import { pcaStep, pcaUpToDate } from "./pca.js";

const $ = (id) => document.getElementById(id);

let inFrame = false; // embedded: no sweep to export

export function initExport({ embedded }) {
  inFrame = embedded;
  $("export-png").addEventListener("click", exportPng);
  $("export-csv").addEventListener("click", exportCsv);
  $("export-json").addEventListener("click", exportJson);
  $("copy-link").addEventListener("click", copyLink);
  store.subscribe((kind) => {
    if (kind === "reset") {
      fillExportViews();
      updateCopyLink();
    }
  });
}

/**
 * The views one can save as PNG: the shared plots, W*, and each run's heatmap; `title` heads
 * the picture, and the plots of several runs carry their legend (`shared`).
 */
function exportViews() {
  const list = [
    { id: "test-error-plot", label: "time plot", title: "Test error against step", shared: true, canvas: () => $("test-error-plot") },
    { id: "trajectory-plot", label: "trajectory", title: "Trajectory: train error against effective rank (○ start, ● now, ★ W*)", shared: true, canvas: () => $("trajectory-plot") },
    // The PCA shows the step it was computed at, which can be behind the runs.
    { id: "pca-plot", label: "main directions (PCA)", title: "Trajectories on their two main directions (PCA)", shared: true, canvas: () => $("pca-plot"),
      step: () => (pcaStep()) },
    // The sweep's runs are its own, of its own length (not in a frame: no sweep there).
    ...(inFrame ? [] : [{ id: "sens-plot", label: "learning-rate sweep", title: "Final test error against learning rate", canvas: () => $("sens-plot"), step: () => null }]),
    { id: "truth-heatmap", label: "W* heatmap", title: "W*, the hidden matrix", canvas: () => ui.views.truthHeatmap.canvas,
      heatmap: () => ui.views.truthHeatmap, bar: () => ui.views.truthBar },
  ];
  ui.runs.forEach((r, i) => list.push({ id: `run-${i}`, label: `${r.label} heatmap`, title: `${r.label}'s current W`, canvas: () => r.heatmap.canvas,
    heatmap: () => r.heatmap, bar: () => r.colourBar }));
  return list;
}

function fillExportViews() {
  const sel = $("export-view");
  const keep = sel.value;
  sel.replaceChildren(...exportViews().map((v) => {
    const o = document.createElement("option");
    o.value = v.id;
    o.textContent = v.label;
    return o;
  }));
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

async function exportPng() {
  const v = exportViews().find((x) => x.id === $("export-view").value) ?? exportViews()[0];
  if (v.id === "pca-plot") await pcaUpToDate();
  let p = {};
  try {
    p = JSON.parse(store.lab.config_json()).problem ?? {}; // every field, defaults filled
  } catch {
    p = store.config.problem ?? {};
  }
  const problem = store.isOwnData() ? `your ${store.rows} × ${store.cols} matrix`
    : `${store.rows} × ${store.cols}, rank ${p.rank}, ${p.observed} seen, seed ${p.seed}`;
  const step = v.step ? v.step() : $("step-counter").dataset.step;
  const title = `${v.title} · ${problem}${step === null ? "" : ` · step ${step}`} · mc-playground`;
  const legend = v.shared ? ui.runs.filter((r) => store.enabled[r.index]).map((r) => ({ label: r.label, colour: r.colour, dash: r.dash })) : [];
  // A heatmap keeps its hatching, its observed-entry dots (when shown) and its colour bar.
  const hm = v.heatmap?.();
  const extras = hm ? { overlays: hm.visibleOverlays(), footer: (w, ratio) => v.bar().image(w, ratio) } : {};
  downloadCanvasPng(v.canvas(), `mc-playground-${v.id}.png`, title, legend, extras);
}

/**
 * What an export says about the experiment, taken when it is asked for: the workers answer about
 * that experiment, so a change made before their answer is in must not leak into the file.
 */
function exportSnapshot() {
  return {
    url: store.linkHref(),
    config: store.currentConfig(),
    rows: store.rows,
    cols: store.cols,
    truth: store.truth,
    mask: store.mask,
    runs: store.runs.map((r, i) => ({ name: r.name, label: r.label, enabled: store.enabled[i], lr: store.rates[i] })),
  };
}

async function exportCsv() {
  const snap = exportSnapshot();
  try {
    const states = await store.stepper.states(HISTORY_METRICS, snap.runs.length);
    const runs = states.map((s, i) => ({ run: i, name: snap.runs[i].name, label: snap.runs[i].label, h: s.h, len: s.len }));
    download(new Blob([historiesCsv(runs)], { type: "text/csv" }), "mc-playground-histories.csv");
  } catch (err) {
    showCoreError(`Not exported: ${messageOf(err)}.`);
  }
}

async function exportJson() {
  const snap = exportSnapshot();
  let states;
  try {
    states = await store.stepper.states(HISTORY_METRICS, snap.runs.length);
  } catch (err) {
    showCoreError(`Not exported: ${messageOf(err)}.`);
    return;
  }
  const { rows, cols } = snap;
  const toRows = (a) => Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));
  const out = {
    about: "mc-playground export: matrices are m × n, row by row",
    url: snap.url,
    config: snap.config,
    rows,
    cols,
    truth: toRows(snap.truth),
    observed: toRows(snap.mask),
    runs: snap.runs.map((r, i) => ({
      name: r.name, label: r.label, enabled: r.enabled, learning_rate: r.lr ?? null, metrics: states[i].metrics,
      matrix: states[i].W && states[i].W.length ? toRows(states[i].W) : null,
    })),
  };
  const text = JSON.stringify(out, (k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1);
  download(new Blob([text], { type: "application/json" }), "mc-playground-experiment.json");
}

/** What a link lacks when the problem is your own data (it is never put in the URL). */
const NOT_YOUR_DATA = "it opens the default experiment, not your data (Export → JSON saves your data)";

async function copyLink() {
  store.writeLink();
  const url = store.linkHref();
  const status = $("copy-status");
  const own = store.isOwnData();
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = own ? `link copied: ${NOT_YOUR_DATA}` : "link copied";
  } catch {
    // No clipboard permission (e.g. an insecure origin): show the link to copy by hand.
    status.textContent = own ? `${url} (${NOT_YOUR_DATA})` : url;
  }
  document.body.dataset.copied = url;
}

/** "Copy link"'s help text says whether the link is the experiment; an older copy's status goes. */
function updateCopyLink() {
  const b = $("copy-link");
  b.dataset.title ??= b.title; // the page's own: "Copy a link that reproduces this experiment"
  b.title = store.isOwnData() ? `Copy a link to this page: ${NOT_YOUR_DATA}` : b.dataset.title;
  $("copy-status").textContent = "";
}
