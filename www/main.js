// Boot and wiring: loads the WebAssembly core, builds one panel per optimizer, and runs the
// animation loop. Data flows one way: controls → config → Lab → (each frame) metrics and
// buffers → views. Views only read; nothing here steps or resets a run except the controls.
//
// Per frame, only scalars and small copies cross the boundary; the m×n matrices and the
// histories are read through typed-array views over wasm memory, made after the frame's last
// wasm call (memory growth detaches older views).

import { Player } from "./player.js";
import { runColour, runDash } from "./colormap.js";
import { Heatmap, ColourBar } from "./views/heatmap.js";
import { SingularValueBars } from "./views/bars.js";
import { LogPlot } from "./views/lineplot.js";
import { TrajectoryPlot } from "./views/trajectory.js";
import { formatFigure, formatNumber } from "./views/axes.js";
import {
  PROBLEM_FIELDS, configFromControls, configFromHash, configToHash, explainLabError, fillControls,
} from "./config.js";

const $ = (id) => document.getElementById(id);

const LR_MIN_EXP = -5; // the learning-rate sliders span 10^-5 … 10^4 (any value can be typed)
const LR_MAX_EXP = 4;

const app = {
  wasm: null, // the module's exports (wasm.memory)
  Lab: null,
  lab: null,
  defaults: null, // Lab.default_config(), parsed
  config: null, // the running lab's config, parsed
  rows: 0,
  cols: 0,
  runs: [], // per optimizer: {name, label, colour, dash, enabled, lr, el, heatmap, bars, ...}
  truth: null, // copies, fixed per problem
  mask: null,
  steps: 3000, // the run length: playing stops when every live, enabled run reaches it
  stepsPerFrame: 5, // the #steps-per-frame control's value, read at boot
  msPerStep: 0, // measured cost of one lab.step(1), smoothed
  throttled: false, // true when the frame budget allows fewer steps than asked for
  autoStop: true, // cleared once the run length is reached, so that play continues past it
  player: null,
  renderQueued: false,
};

/** The shared views (W*'s panel and the two plots); each run's views live on its run. */
const views = {};

// ---------------------------------------------------------------------------------------------
// Boot

async function boot() {
  let mod;
  try {
    mod = await import("./pkg/mc_playground.js");
    app.wasm = await mod.default();
  } catch (err) {
    showLoadError(err);
    return;
  }
  app.Lab = mod.Lab;
  $("loading").hidden = true;

  app.defaults = JSON.parse(app.Lab.default_config());
  app.steps = app.defaults.steps ?? app.steps;

  // The URL may hold an experiment; if it is not valid, say so and open the default one.
  const { config, off } = configFromHash(location.hash, app.defaults);
  let lab;
  try {
    lab = new app.Lab(JSON.stringify(config));
    app.steps = config.steps ?? app.steps;
  } catch (err) {
    showConfigError(`The link's experiment was not valid (${messageOf(err)}); showing the default one.`);
    lab = new app.Lab(JSON.stringify(app.defaults));
  }

  app.player = new Player(tick, onPlayingChange);
  views.testError = new LogPlot($("test-error-plot"), { xLabel: "step", yLabel: "test error (log)" });
  views.trajectory = new TrajectoryPlot($("trajectory-plot"));
  views.testError.view.onResize = requestRender;
  views.trajectory.plot.view.onResize = requestRender;
  views.truthHeatmap = new Heatmap($("truth-heatmap-slot"), { label: "Heatmap of W*", testid: "truth-heatmap" });
  views.truthHeatmap.canvas.id = "truth-heatmap";
  views.truthBar = new ColourBar($("truth-heatmap-slot"));
  views.truthBars = new SingularValueBars($("truth-bars-slot"), {
    colour: "#9a9a9a",
    label: "Singular values of W*, log scale",
  });

  installLab(lab, off.length ? (i) => !off.includes(i) : () => true);
  wireControls();
  app.player.play();
}

function messageOf(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

function showLoadError(err) {
  const box = $("load-error");
  box.hidden = false;
  box.replaceChildren();
  const h = document.createElement("strong");
  h.textContent = "The WebAssembly core could not be loaded, so nothing can run.";
  const p = document.createElement("p");
  p.textContent = `Reason: ${messageOf(err)}`;
  const hint = document.createElement("p");
  hint.textContent =
    "If you are running it yourself: build the core with “bash scripts/build.sh”, then serve the " +
    "repository root over http (for example “python3 -m http.server”); opening index.html as a file does not work.";
  box.append(h, p, hint);
  $("loading").hidden = true;
  document.body.classList.add("no-core");
  for (const el of document.querySelectorAll(".controls button, .controls input, .controls select")) {
    el.disabled = true;
  }
  console.warn("mc-playground: wasm failed to load:", err);
}

// ---------------------------------------------------------------------------------------------
// A lab (one problem and its runs)

/**
 * Makes `lab` the running lab: reads the problem once, (re)builds the panels and frees the
 * previous lab. `isOn(i)` gives each run's on/off.
 */
function installLab(lab, isOn) {
  const old = app.lab;
  app.lab = lab;
  app.config = JSON.parse(lab.config_json());
  app.rows = lab.rows();
  app.cols = lab.cols();
  const rows = app.rows;
  const cols = app.cols;
  const rank = lab.rank();
  const observed = lab.observed_count();
  const truthSv = Float64Array.from(lab.truth_singular_values());
  const runInfo = [];
  for (let i = 0, n = lab.run_count(); i < n; i++) {
    let opt = {};
    try {
      opt = JSON.parse(lab.run_optimizer_json(i));
    } catch {
      opt = app.config.optimizers?.[i] ?? {};
    }
    runInfo.push({ name: lab.run_name(i), label: lab.run_label(i), lr: opt.learning_rate });
  }
  const truthPtr = lab.truth_ptr();
  const maskPtr = lab.observed_mask_ptr();
  // Last wasm call above: views now, copied at once (W* and Ω are fixed for the problem).
  const buf = app.wasm.memory.buffer;
  app.truth = new Float64Array(buf, truthPtr, rows * cols).slice();
  app.mask = new Uint8Array(buf, maskPtr, rows * cols).slice();

  let scale = 0;
  for (const v of app.truth) if (Math.abs(v) > scale) scale = Math.abs(v);
  if (!(scale > 0)) scale = 1;
  app.scale = scale;
  const erank = effectiveRank(truthSv);

  // The problem's figures, in the header and the truth panel.
  fill("size", `${rows} × ${cols}`);
  fill("observed", String(observed));
  fill("entries", String(rows * cols));
  fill("rank", String(rank));
  fill(
    "rank-phrase",
    rank === 1 ? "rank 1: each row is a multiple of one pattern" : `rank ${rank}: each row mixes the same ${rank} patterns`,
  );
  fill("truth-erank", formatNumber(round(erank, 2)));
  $("truth-rank").textContent = String(rank);
  $("truth-erank").textContent = formatNumber(round(erank, 2));
  $("truth-observed").textContent = `${observed} of ${rows * cols}`;
  $("truth-scale").textContent = formatNumber(scale);
  const truthPanel = $("truth-panel");
  truthPanel.dataset.rows = String(rows);
  truthPanel.dataset.cols = String(cols);
  truthPanel.dataset.observed = String(observed);

  views.truthHeatmap.setProblem(rows, cols, scale, app.mask);
  views.truthHeatmap.draw(app.truth);
  views.truthBar.setScale(scale);
  views.truthBars.setProblem(truthSv);
  views.truthBars.draw(truthSv);
  views.trajectory.setProblem(erank);

  // Panels: rebuilt for every lab (a problem change is rare and starts over anyway).
  const prev = app.runs;
  for (const r of prev) {
    r.el.remove();
    r.bars.destroy();
    r.colourBar.destroy();
  }
  app.runs = runInfo.map((info, i) => {
    const sameRun = prev[i] && prev[i].name === info.name;
    const run = buildRunPanel(i, info, sameRun ? prev[i].enabled : isOn(i));
    run.heatmap.setProblem(rows, cols, scale, app.mask);
    run.heatmap.setOverlayVisible($("show-observed").checked);
    run.colourBar.setScale(scale);
    run.bars.setProblem(truthSv);
    if (!run.enabled) lab.set_enabled(i, false);
    return run;
  });
  buildLegend();

  if (old) old.free();

  fillControls(app.config);
  $("steps").value = String(app.steps);
  app.autoStop = true;
  updateHash();
  render();
}

function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

function round(v, digits) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Roy & Vetterli's effective rank: exp of the entropy of the normalised singular values. */
function effectiveRank(sv) {
  let sum = 0;
  for (const s of sv) if (s > 0) sum += s;
  if (!(sum > 0)) return 0;
  let h = 0;
  for (const s of sv) {
    if (!(s > 0)) continue;
    const p = s / sum;
    h -= p * Math.log(p);
  }
  return Math.exp(h);
}

function buildRunPanel(i, info, enabled) {
  const colour = runColour(i);
  const el = document.createElement("article");
  el.className = "panel run";
  el.dataset.run = info.name;
  el.dataset.index = String(i);
  el.style.setProperty("--run-colour", colour);
  el.setAttribute("aria-labelledby", `run-title-${i}`);

  const head = document.createElement("header");
  head.className = "panel-head";
  const sw = document.createElement("span");
  sw.className = "swatch";
  sw.setAttribute("aria-hidden", "true");
  const h = document.createElement("h2");
  h.id = `run-title-${i}`;
  h.textContent = info.label || info.name;
  const onWrap = document.createElement("span");
  onWrap.className = "field check toggle";
  const on = document.createElement("input");
  on.type = "checkbox";
  on.id = `on-${i}`;
  on.checked = enabled;
  on.dataset.testid = "run-enabled";
  const onLabel = document.createElement("label");
  onLabel.htmlFor = on.id;
  onLabel.append("on");
  const onSr = document.createElement("span");
  onSr.className = "sr-only";
  onSr.textContent = ` (${info.label || info.name})`;
  onLabel.append(onSr);
  onWrap.append(on, onLabel);
  head.append(sw, h, onWrap);

  const lrRow = document.createElement("div");
  lrRow.className = "lr-row";
  const lrLabel = document.createElement("label");
  lrLabel.htmlFor = `lr-${i}`;
  lrLabel.textContent = "learning rate";
  const lrSr = document.createElement("span");
  lrSr.className = "sr-only";
  lrSr.textContent = ` for ${info.label || info.name}`;
  lrLabel.append(lrSr);
  const lr = document.createElement("input");
  lr.type = "text";
  lr.inputMode = "decimal";
  lr.id = `lr-${i}`;
  lr.className = "lr-input";
  lr.autocomplete = "off";
  lr.spellcheck = false;
  lr.value = String(info.lr ?? "");
  const sliderLabel = document.createElement("label");
  sliderLabel.htmlFor = `lr-slider-${i}`;
  sliderLabel.className = "sr-only";
  sliderLabel.textContent = `learning rate for ${info.label || info.name}, log scale`;
  const slider = document.createElement("input");
  slider.type = "range";
  slider.id = `lr-slider-${i}`;
  slider.className = "lr-slider";
  slider.min = String(LR_MIN_EXP);
  slider.max = String(LR_MAX_EXP);
  slider.step = "0.1";
  slider.value = String(lrToSlider(info.lr));
  slider.setAttribute("aria-valuetext", String(info.lr));
  lrRow.append(lrLabel, lr, sliderLabel, slider);
  const lrError = document.createElement("p");
  lrError.className = "error small";
  lrError.setAttribute("role", "alert");
  lrError.hidden = true;

  const visual = document.createElement("div");
  visual.className = "visual";
  const heatmap = new Heatmap(visual, { label: `Heatmap of ${info.label || info.name}'s current matrix` });
  const colourBar = new ColourBar(visual);
  const barsLabel = document.createElement("div");
  barsLabel.className = "bars-label";
  barsLabel.textContent = "singular values (log), ▬ W*";
  visual.append(barsLabel);
  const bars = new SingularValueBars(visual, {
    colour,
    label: `Singular values of ${info.label || info.name}'s current matrix, log scale`,
  });

  const figures = document.createElement("dl");
  figures.className = "figures";
  const fig = {};
  for (const [key, name] of [
    ["step", "step"], ["test", "test error"], ["train", "train error"], ["erank", "eff. rank"],
  ]) {
    const d = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.dataset.field = key;
    dd.textContent = "–";
    d.append(dt, dd);
    figures.append(d);
    fig[key] = dd;
  }
  const status = document.createElement("p");
  status.className = "run-status";
  status.dataset.testid = "run-status";

  el.append(head, lrRow, lrError, visual, figures, status);
  $("matrices").append(el);

  const run = {
    index: i, name: info.name, label: info.label || info.name, colour, dash: runDash(i),
    enabled, lr: info.lr, el, heatmap, colourBar, bars, fig, status, lrInput: lr, slider, lrError,
    shown: {},
  };
  el.classList.toggle("off", !enabled);

  on.addEventListener("change", () => setRunEnabled(run, on.checked));
  lr.addEventListener("change", () => setRunLearningRate(run, lr.value, "text"));
  lr.addEventListener("keydown", (e) => {
    if (e.key === "Enter") setRunLearningRate(run, lr.value, "text");
  });
  slider.addEventListener("input", () => {
    const v = Number((10 ** Number(slider.value)).toPrecision(2));
    setRunLearningRate(run, String(v), "slider");
  });
  return run;
}

function lrToSlider(lr) {
  if (!(lr > 0)) return LR_MIN_EXP;
  return Math.min(LR_MAX_EXP, Math.max(LR_MIN_EXP, Math.round(Math.log10(lr) * 10) / 10));
}

function buildLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  for (const run of app.runs) {
    const li = document.createElement("li");
    li.dataset.run = run.name;
    li.classList.toggle("off", !run.enabled);
    const sw = document.createElement("span");
    sw.className = "legend-line";
    sw.style.background = run.colour;
    sw.setAttribute("aria-hidden", "true");
    li.append(sw, run.label);
    legend.append(li);
  }
}

// ---------------------------------------------------------------------------------------------
// Hot changes (applied to the running lab) and problem changes (a new lab)

function setRunEnabled(run, on) {
  run.enabled = on;
  app.lab.set_enabled(run.index, on);
  run.el.classList.toggle("off", !on);
  const li = $("legend").children[run.index];
  if (li) li.classList.toggle("off", !on);
  updateHash();
  requestRender();
}

function setRunLearningRate(run, text, from) {
  const t = String(text).trim();
  const v = Number(t);
  const fail = (msg) => {
    run.lrError.textContent = msg;
    run.lrError.hidden = false;
    run.lrInput.setAttribute("aria-invalid", "true");
  };
  if (t === "" || !Number.isFinite(v)) return fail("learning rate: enter a number");
  try {
    app.lab.set_learning_rate(run.index, v);
  } catch (err) {
    return fail(messageOf(err).replace(/^optimizers\[\d+\]\.learning_rate:\s*/, "learning rate: "));
  }
  run.lr = v;
  run.lrError.hidden = true;
  run.lrInput.removeAttribute("aria-invalid");
  if (from !== "text") run.lrInput.value = String(v);
  if (from !== "slider") run.slider.value = String(lrToSlider(v));
  run.slider.setAttribute("aria-valuetext", String(v));
  if (app.config.optimizers?.[run.index]) app.config.optimizers[run.index].learning_rate = v;
  updateHash();
}

function showConfigError(message, fieldId) {
  const box = $("config-error");
  box.textContent = message;
  box.hidden = false;
  for (const f of PROBLEM_FIELDS) $(f.id).removeAttribute("aria-invalid");
  $("steps").removeAttribute("aria-invalid");
  if (fieldId && $(fieldId)) {
    $(fieldId).setAttribute("aria-invalid", "true");
    $(fieldId).setAttribute("aria-describedby", "config-error");
  }
}

function clearConfigError() {
  $("config-error").hidden = true;
  $("config-error").textContent = "";
  for (const f of [...PROBLEM_FIELDS.map((f) => f.id), "steps"]) {
    $(f).removeAttribute("aria-invalid");
    $(f).removeAttribute("aria-describedby");
  }
}

/** A problem control changed: build a new lab; on error keep the running one and say why. */
function onProblemChange(changedId) {
  let config;
  try {
    config = configFromControls(app.config, app.runs.map((r) => r.lr));
  } catch (err) {
    showConfigError(err.message, err.fieldId || changedId);
    return;
  }
  config.steps = app.steps;
  let lab;
  try {
    lab = new app.Lab(JSON.stringify(config));
  } catch (err) {
    const { fieldId, text } = explainLabError(messageOf(err));
    showConfigError(`Not applied: ${text}. The previous experiment keeps running.`, fieldId || changedId);
    return;
  }
  clearConfigError();
  installLab(lab, () => true);
  app.player.play();
}

function onStepsChange() {
  const el = $("steps");
  const v = Number(el.value);
  if (!Number.isInteger(v) || v < 1) {
    showConfigError("stop at step: enter a whole number of at least 1");
    el.setAttribute("aria-invalid", "true");
    return;
  }
  el.removeAttribute("aria-invalid");
  if ($("config-error").textContent.startsWith("stop at step")) clearConfigError();
  app.steps = v;
  app.config.steps = v;
  app.autoStop = true;
  updateHash();
  requestRender();
}

/** Writes the experiment into the URL, at most a few times a second (sliders fire often). */
function updateHash() {
  clearTimeout(app.hashTimer);
  app.hashTimer = setTimeout(writeHash, 250);
}

function writeHash() {
  const config = structuredClone(app.config);
  config.steps = app.steps;
  app.runs.forEach((r, i) => {
    if (config.optimizers?.[i]) config.optimizers[i].learning_rate = r.lr;
  });
  const hash = configToHash(config, app.runs.map((r) => r.enabled), app.defaults);
  const url = location.pathname + location.search + hash;
  if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
}

// ---------------------------------------------------------------------------------------------
// The loop

/** Steps still to go before every live, enabled run reaches the run length (0 if none). */
function remainingSteps() {
  let rem = 0;
  for (const run of app.runs) {
    const m = run.metrics;
    if (!run.enabled || !m || m.diverged_at !== null) continue;
    rem = Math.max(rem, app.steps - m.step);
  }
  return rem;
}

/** Milliseconds the lab spends on one step (all runs), smoothed; keeps big problems responsive. */
const FRAME_BUDGET_MS = 35;

function hasLiveEnabledRun() {
  return app.runs.some((r) => r.enabled && r.metrics && r.metrics.diverged_at === null);
}

function tick() {
  let k = app.stepsPerFrame;
  // Big problems: do fewer steps per frame rather than freeze the page.
  if (app.msPerStep > 0) k = Math.max(1, Math.min(k, Math.floor(FRAME_BUDGET_MS / app.msPerStep)));
  app.throttled = k < app.stepsPerFrame;
  if (app.autoStop) {
    const rem = remainingSteps();
    if (rem <= 0) {
      // Every live, enabled run is done (or none is left to step: then stay armed).
      app.autoStop = !hasLiveEnabledRun();
      render();
      return false;
    }
    k = Math.min(k, rem);
  }
  const t0 = performance.now();
  app.lab.step(k);
  const perStep = (performance.now() - t0) / k;
  app.msPerStep = app.msPerStep > 0 ? 0.8 * app.msPerStep + 0.2 * perStep : perStep;
  render();
  if (app.autoStop && remainingSteps() <= 0) {
    app.autoStop = false;
    return false;
  }
  return true;
}

function onPlayingChange(playing) {
  const b = $("play");
  b.textContent = playing ? "Pause" : "Play";
  b.setAttribute("aria-pressed", String(playing));
  document.body.dataset.playing = String(playing);
  updatePlayStatus();
}

function updatePlayStatus() {
  let text = "";
  if (app.player && app.player.playing) {
    if (app.throttled) text = "big problem: fewer steps per frame to keep the page responsive";
  } else if (!app.autoStop && app.runs.some((r) => r.metrics && r.metrics.step >= app.steps)) {
    text = `stopped at step ${app.steps}; press Play to go on`;
  } else text = "paused";
  const s = $("play-status");
  if (s.textContent !== text) s.textContent = text;
}

function requestRender() {
  if (app.renderQueued || !app.lab) return;
  if (app.player && app.player.playing) return; // the next frame draws anyway
  app.renderQueued = true;
  requestAnimationFrame(() => {
    app.renderQueued = false;
    if (app.lab) render();
  });
}

function normaliseMetrics(m) {
  if (m instanceof Map) m = Object.fromEntries(m);
  m = m || {};
  return {
    step: Number(m.step ?? 0),
    objective: m.objective,
    train_error: m.train_error,
    test_error: m.test_error,
    effective_rank: m.effective_rank,
    diverged_at: m.diverged_at ?? null,
    diverged_reason: m.diverged_reason ?? null,
  };
}

const HISTORY = ["step", "test_error", "train_error", "effective_rank"];

/** Reads everything the frame draws from the lab, then draws it. */
function render() {
  const lab = app.lab;
  const n = app.runs.length;
  const cells = app.rows * app.cols;
  // 1. wasm calls (any of them may grow memory).
  const frame = app.runs.map((run, i) => {
    const metrics = normaliseMetrics(lab.metrics(i));
    const sv = lab.singular_values(i);
    const len = lab.history_len(i);
    const ptrs = HISTORY.map((h) => lab.history_ptr(i, h));
    const matrix = lab.matrix_ptr(i);
    return { metrics, sv, len, ptrs, matrix };
  });
  // 2. views over wasm memory, after the last wasm call of the frame.
  const buf = app.wasm.memory.buffer;
  for (const f of frame) {
    f.W = f.matrix ? new Float64Array(buf, f.matrix, cells) : null;
    f.h = f.ptrs.map((p) => (p && f.len ? new Float64Array(buf, p, f.len) : new Float64Array(0)));
    if (!f.len) f.len = 0;
  }
  // 3. draw.
  let maxStep = 0;
  for (let i = 0; i < n; i++) {
    const run = app.runs[i];
    const f = frame[i];
    run.metrics = f.metrics;
    maxStep = Math.max(maxStep, f.metrics.step);
    if (f.W) run.heatmap.draw(f.W);
    run.bars.draw(f.sv);
    showFigures(run, f.metrics);
  }
  const counter = $("step-counter");
  if (counter.dataset.step !== String(maxStep)) {
    counter.dataset.step = String(maxStep);
    counter.textContent = `step ${maxStep}`;
  }

  const testSeries = [];
  const trajRuns = [];
  for (let i = 0; i < n; i++) {
    const run = app.runs[i];
    const f = frame[i];
    const [steps, test, train, erank] = f.h;
    const alpha = run.enabled ? 1 : 0.25;
    const diverged = f.metrics.diverged_at !== null;
    testSeries.push({ x: steps, y: test, len: f.len, colour: run.colour, alpha, dash: run.dash, endDot: true, diverged });
    trajRuns.push({ rank: erank, train, len: f.len, colour: run.colour, alpha, dash: run.dash, diverged });
  }
  // Draw the enabled runs last so they sit on top of greyed ones.
  const order = (arr) => arr.filter((_, i) => !app.runs[i].enabled).concat(arr.filter((_, i) => app.runs[i].enabled));
  const xMax = Math.max(app.steps, maxStep, 1);
  views.testError.draw(order(testSeries), { xMin: 0, xMax });
  views.trajectory.draw(order(trajRuns));
  updatePlayStatus();
}

function showFigures(run, m) {
  const set = (key, text) => {
    if (run.shown[key] !== text) {
      run.shown[key] = text;
      run.fig[key].textContent = text;
    }
  };
  set("step", String(m.step));
  set("test", formatFigure(m.test_error));
  set("train", formatFigure(m.train_error));
  set("erank", Number.isFinite(m.effective_rank) ? m.effective_rank.toFixed(2) : formatNumber(m.effective_rank));
  const el = run.el;
  el.dataset.step = String(m.step);
  el.dataset.testError = String(m.test_error);
  el.dataset.trainError = String(m.train_error);
  el.dataset.effectiveRank = String(m.effective_rank);
  const diverged = m.diverged_at !== null;
  el.dataset.divergedAt = diverged ? String(m.diverged_at) : "";
  el.classList.toggle("diverged", diverged);
  let status = "";
  let reason = "";
  if (diverged) {
    status = `diverged at step ${m.diverged_at}`;
    reason = m.diverged_reason || "";
  } else if (!run.enabled) status = "off: not stepping";
  if (run.shown.status !== status + reason) {
    run.shown.status = status + reason;
    const head = document.createElement("strong");
    head.textContent = status;
    run.status.replaceChildren(...(status ? [head] : []));
    if (reason) {
      const why = document.createElement("span");
      why.className = "reason";
      why.textContent = reason;
      run.status.append(why);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Controls

function wireControls() {
  $("play").addEventListener("click", () => {
    // Play after the run length was reached goes on past it.
    if (!app.player.playing && app.autoStop && remainingSteps() <= 0 && hasLiveEnabledRun()) app.autoStop = false;
    app.player.toggle();
  });
  $("step-once").addEventListener("click", stepOnce);
  $("reset").addEventListener("click", () => {
    app.player.pause();
    app.lab.reset();
    app.autoStop = true;
    render();
  });
  const spf = $("steps-per-frame");
  app.stepsPerFrame = Number(spf.value);
  spf.addEventListener("change", () => {
    app.stepsPerFrame = Math.max(1, Number(spf.value) || 1);
  });
  $("steps").addEventListener("change", onStepsChange);
  for (const f of PROBLEM_FIELDS) {
    $(f.id).addEventListener("change", () => onProblemChange(f.id));
  }
  $("show-observed").addEventListener("change", () => {
    const on = $("show-observed").checked;
    for (const run of app.runs) run.heatmap.setOverlayVisible(on);
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && t.closest && t.closest("input, select, textarea, button, summary, [contenteditable]")) return;
    if (e.key === " ") {
      e.preventDefault();
      $("play").click();
    } else if (e.key === ".") {
      e.preventDefault();
      stepOnce();
    }
  });
}

function stepOnce() {
  app.player.pause();
  app.lab.step(1);
  render();
}

boot();
