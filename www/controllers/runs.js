// The runs: W*'s panel and the header, one panel per run (rebuilt for every lab), the legend and
// the method picker; a run's on/off and learning rate (hot), its eps, copy and remove, and a
// method ticked or unticked in the picker (each a new lab).

import { RunPanel } from "../views/panel.js";
import { ProblemView } from "../views/problem.js";
import { drawLegend, setLegendOn } from "../views/legend.js";
import { buildMethodPicker, updateMethodPicker } from "../views/method-picker.js";
import { MAX_RUNS, runColour, runDash, runMarker } from "../colormap.js";
import { methodGroups } from "../catalog.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { rebuild, setRunLearningRate, showConfigError } from "./experiment.js";

const $ = (id) => document.getElementById(id);

export function initRuns() {
  const problem = new ProblemView();
  Object.assign(ui.views, {
    problem,
    truthHeatmap: problem.truthHeatmap,
    truthBar: problem.truthBar,
    yHeatmap: problem.yHeatmap,
    truthBars: problem.truthBars,
  });
  const c = store.catalog;
  $("show-observed").addEventListener("change", () => store.apply("view", { dots: $("show-observed").checked ? "1" : "0" }));
  buildMethodPicker($("method-picker"), methodGroups(c), onMethodToggle);
  store.subscribe((kind, change) => {
    if (kind === "reset") showRuns();
    else if (kind === "view") setDotsVisible(store.view.dots === "1");
    else if (kind === "hot" && change.enabled !== undefined) {
      const run = ui.runs[change.run];
      run.setEnabled(change.enabled);
      setLegendOn($("legend"), run.index, change.enabled);
    } else if (kind === "hot" && change.lr !== undefined) {
      ui.runs[change.run].showLearningRate(change.lr, change.from);
    }
  });
}

function setDotsVisible(on) {
  ui.views.truthHeatmap?.setOverlayVisible(on);
  for (const run of ui.runs) run.heatmap.setOverlayVisible(on);
}

/** Where the keyboard focus is under `root`: child indices from `root` down; null elsewhere. */
function focusPath(root) {
  const at = document.activeElement;
  if (!at || at === root || !root.contains(at)) return null;
  const path = [];
  for (let el = at; el !== root; el = el.parentElement) path.unshift([...el.parentElement.children].indexOf(el));
  return path;
}

/**
 * Focuses the element at `path` under `root` (see `focusPath`), if there is one; a row of a
 * panel's figures becomes its list's tab stop (the roving tab stop of tooltips.js).
 */
function refocus(root, path) {
  if (!path) return;
  let el = root;
  for (const i of path) el = el?.children[i];
  if (!(el instanceof HTMLElement)) return;
  // Never onto a run's × (Enter again would remove another run): onto its panel's heading.
  if (el.matches("button[id^='remove-']")) el = el.closest("article")?.querySelector("h2") ?? el;
  // A row not shown yet (a figure before the first metrics) or in a folded list: the nearest
  // shown row before it, else the fold's summary.
  const list = el.parentElement?.matches("dl.figures") ? el.parentElement : null;
  if (list && el.hidden) {
    let prev = el.previousElementSibling;
    while (prev && (prev.hidden || !prev.title)) prev = prev.previousElementSibling;
    if (prev) el = prev;
  }
  const fold = el.closest("details");
  if (fold && !fold.open && !el.matches("summary")) el = fold.querySelector("summary") ?? el;
  if (el.parentElement?.matches("dl.figures") && el.title) {
    for (const row of el.parentElement.children) if (row !== el && row.title) row.tabIndex = -1;
    el.tabIndex = 0;
  } else if (el.title && el.tabIndex < 0 && !el.matches("summary, button, input, select, a")) {
    el.tabIndex = 0; // a help text's tab stop (tooltips.js gives it the same a moment later)
  }
  el.focus();
}

const panelCallbacks = {
  onEnable: (run, on) => store.apply("hot", { run: run.index, enabled: on }),
  onLearningRate: setRunLearningRate,
  onEps,
  onRemove: onRemoveRun,
  onCopy: onCopyRun,
};

/** A new lab: W*'s panel, then the panels (rebuilt; the keyboard focus goes to the same place), legend, picker. */
function showRuns() {
  const s = store;
  const dots = s.view.dots === "1";
  const erank = ui.views.problem.show({
    rows: s.rows, cols: s.cols, rank: s.rank, observed: s.observed, own: s.isOwnData(), config: s.config, truth: s.truth,
    observations: s.observations, mask: s.mask, known: s.known, unknownCount: s.unknownCount, scale: s.scale, truthSv: s.truthSv,
  }, dots);
  ui.views.trajectory.setProblem(erank);
  // Panels: rebuilt for every lab (a change here is rare and starts over anyway). The keyboard
  // focus, if it was in a panel (N or R pressed on a figure), goes to the same place in the new one.
  const focusAt = focusPath($("matrices"));
  for (const r of ui.runs) r.destroy();
  const n = s.runs.length;
  ui.runs = s.runs.map((info, i) => {
    const slot = s.slots[i];
    const panel = new RunPanel($("matrices"), {
      ...info, enabled: s.enabled[i], slot, colour: runColour(slot), canRemove: n > 1, catalog: s.catalog,
    }, panelCallbacks);
    panel.dash = runDash(slot, s.catalog.overlap(info.name));
    panel.marker = runMarker(slot);
    panel.heatmap.setProblem(s.rows, s.cols, s.scale, s.mask);
    panel.heatmap.setOverlayVisible(dots);
    panel.colourBar.setScale(s.scale);
    panel.bars.setProblem(s.truthSv);
    panel.copyButton.disabled = n >= MAX_RUNS;
    return panel;
  });
  drawLegend($("legend"), ui.runs);
  updateMethodPicker($("method-picker"), $("methods-count"), ui.runs, MAX_RUNS);
  refocus($("matrices"), focusAt);
}

/** A new run of method `name` with its defaults (at the shared rate if the race is an equal one). */
function newMethodConfig(name) {
  const base = store.catalog.configs.find((m) => m.name === name);
  const opt = base ? structuredClone(base) : { name };
  const r = store.race ? null : equalRate();
  if (opt.learning_rate !== undefined && r !== null) opt.learning_rate = r;
  return opt;
}

/** The rate every method with one shares, or null. */
export function equalRate() {
  const lrs = store.rates.filter((lr) => lr !== undefined);
  return lrs.length && lrs.every((v) => v === lrs[0]) ? lrs[0] : null;
}

function onMethodToggle(name, input) {
  const config = store.currentConfig();
  const { slots, enabled } = store.keptRuns();
  if (input.checked) {
    if (store.runs.length >= MAX_RUNS) {
      input.checked = false;
      return;
    }
    config.optimizers.push(newMethodConfig(name));
    slots.push(null); // its own colour if free
    enabled.push(true);
  } else {
    const keep = store.runs.map((r) => r.name !== name);
    if (!keep.some(Boolean)) {
      input.checked = true;
      showConfigError("Keep at least one method.", null, "method-picker");
      return;
    }
    config.optimizers = config.optimizers.filter((_, i) => keep[i]);
    filterInPlace(slots, keep);
    filterInPlace(enabled, keep);
  }
  if (!rebuild(config, { changedId: `method-${name}`, slots, enabled })) {
    updateMethodPicker($("method-picker"), $("methods-count"), ui.runs, MAX_RUNS);
  }
}

function filterInPlace(arr, keep) {
  const out = arr.filter((_, i) => keep[i]);
  arr.length = 0;
  arr.push(...out);
}

function onRemoveRun(panel) {
  if (store.runs.length <= 1) return;
  const config = store.currentConfig();
  const keep = store.runs.map((_, i) => i !== panel.index);
  config.optimizers = config.optimizers.filter((_, i) => keep[i]);
  const slots = store.slots.filter((_, i) => keep[i]);
  const enabled = store.enabled.filter((_, i) => keep[i]);
  rebuild(config, { slots, enabled, panel });
}

function onCopyRun(panel) {
  if (store.runs.length >= MAX_RUNS) return;
  const config = store.currentConfig();
  const i = panel.index;
  config.optimizers.splice(i + 1, 0, structuredClone(config.optimizers[i]));
  const { slots, enabled } = store.keptRuns();
  slots.splice(i + 1, 0, null);
  enabled.splice(i + 1, 0, true);
  rebuild(config, { slots, enabled, panel, race: store.race });
}

function onEps(panel, text) {
  const t = String(text).trim();
  const v = Number(t);
  if (t === "" || !Number.isFinite(v)) {
    panel.showError("eps: enter a number, e.g. 1e-12");
    panel.epsInput.setAttribute("aria-invalid", "true");
    return;
  }
  if (v === panel.opt.eps) return;
  const config = store.currentConfig();
  config.optimizers[panel.index].eps = v;
  const ok = rebuild(config, { ...store.keptRuns(), panel, keepRace: false });
  if (!ok) panel.epsInput.setAttribute("aria-invalid", "true");
}
