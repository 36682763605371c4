// Boot and wiring: loads the WebAssembly core, builds one panel per run, and runs the animation
// loop. Data flows one way: controls → config → Lab → (each frame) metrics and buffers → views.
// Views only read; nothing here steps or resets a run except the controls.
//
// The runs are stepped in Web Workers (www/pool.js, www/lab-worker.js): the page's own Lab holds
// the problem (truth, Ω, names, config checks) and the step-0 frame, and is never stepped while
// the workers run; each frame draws from the workers' latest replies (Float64Array copies).
// Without workers (none in the browser, or ?workers=0) the page steps its own Lab: then only
// scalars and small copies cross the boundary per frame; the m×n matrices and the histories are
// read through typed-array views over wasm memory, made after the frame's last wasm call
// (memory growth detaches older views). The trajectories' PCA is costly, so it is
// computed on a timer, seldom, never per frame; the learning-rate sweep runs in workers.

import { Player } from "./player.js";
import { MAX_RUNS, assignSlots, runColour, runDash, runMarker } from "./colormap.js";
import { Heatmap, ColourBar } from "./views/heatmap.js";
import { SingularValueBars } from "./views/bars.js";
import { LinePlot } from "./views/lineplot.js";
import { TrajectoryPlot } from "./views/trajectory.js";
import { PcaPlot } from "./views/pca.js";
import { RECOVERED, SensitivityPlot } from "./views/sensitivity.js";
import { formatFigure, formatNumber, formatPow10 } from "./views/axes.js";
import { RunPanel, distinctLabels } from "./panel.js";
import { Sweep, gridSize, parseProtocol, sweptMethods } from "./sweep.js";
import {
  METHOD_INFO, PROBLEM_FIELDS, configFromControls, configFromHash, configToHash, explainLabError,
  decimalNumber, fillControls, limitsError, methodLabel, seedError, setMethods, sizeError, stepsError, VIEW_KEYS,
} from "./config.js";
import { PRESETS } from "./presets.js";
import { HISTORY_METRICS, download, downloadCanvasPng, historiesCsv } from "./export.js";
import { initExtras } from "./extras.js";
import { WorkerPool } from "./pool.js";

const $ = (id) => document.getElementById(id);

/** The rate of the equal race (the default experiment's). */
const EQUAL_RATE = 0.01;
/** Run length of a quick sweep. */
const QUICK_STEPS = 300;

const app = {
  wasm: null, // the module's exports (wasm.memory)
  Lab: null,
  SensitivityRunner: null,
  lab: null,
  pool: null, // the WorkerPool stepping the runs, or null: the page steps `lab` itself
  drawn: -1, // the pool version last drawn
  startFrames: [], // each run's step-0 frame (from `lab`), drawn after a reset until the workers answer
  defaults: null, // Lab.default_config(), parsed
  methods: [], // every method's default config (setMethods of Lab.methods())
  config: null, // the running lab's config, parsed (current learning rates)
  rows: 0,
  cols: 0,
  runs: [], // one RunPanel per run, config order
  truth: null, // copies, fixed per problem
  observations: null,
  mask: null,
  steps: 3000, // the run length: playing stops when every live, enabled run reaches it
  stepsPerFrame: 20, // the #steps-per-frame control's value, read at boot
  msPerStep: 0, // measured cost of one lab.step(1), smoothed
  frameMs: 1000 / 60, // with workers: the time between animation frames, smoothed
  lastTick: 0,
  throttled: false, // true when the frame budget allows fewer steps than asked for
  autoStop: true, // cleared once the run length is reached, so that play continues past it
  urlHash: "", // the URL's hash as the page last read or wrote it (another one is a navigation to apply)
  stepAsk: 0, // bumped by dropSteps(): the steps asked for before (stepBy) and not taken yet are dropped
  heldNoteTimer: 0, // hides the note said when a change waits at step 0 out of the Play button's view
  player: null,
  renderQueued: false,
  race: null, // {kind: "tuned", from, to, perDecade, steps} while the tuned race is showing
  autoInit: false, // the start was switched to gaussian by a depth change (and goes back at depth 1)
  // The PCA's state; rate: milliseconds per K³ (Chromium: 1–2·10⁻⁶) until this machine's own is
  // measured; running: the workers' computation under way (a promise), null when none.
  pca: { result: null, at: 0, cost: 0, rate: 2e-6, snapshots: 0, step: -1, dirty: true, visible: true, timer: null, running: null },
  plot: { metric: "test_error", x: "step", log: true },
  sweep: null,
  sweepCells: [],
  sweepResult: null,
  sweepSlots: [],
  sweepEnabled: [], // each run's on/off when the sweep started
  sweepUntested: false, // the sweep's problem has no unseen entries: no test error to rank rates by
};

/** The shared views; each run's views live on its panel. */
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
  app.SensitivityRunner = mod.SensitivityRunner;
  $("loading").hidden = true;

  app.defaults = JSON.parse(app.Lab.default_config());
  try {
    app.methods = setMethods(JSON.parse(app.Lab.methods()));
  } catch {
    app.methods = app.defaults.optimizers;
  }
  app.steps = app.defaults.steps ?? app.steps;

  // The URL may hold an experiment; if it is not valid, say so and open the default one.
  app.urlHash = location.hash;
  const parsed = readHash(EMBED.panels.length && !/(^|[#&])m=/.test(location.hash)
    ? `${location.hash}${location.hash.length > 1 ? "&" : "#"}m=${EMBED.panels.join(",")}` : location.hash);
  const { config, off, tuned } = parsed;
  let lab;
  try {
    const why = checkConfig(config);
    if (why) throw new Error(why);
    lab = new app.Lab(JSON.stringify(config));
    app.steps = config.steps ?? app.steps;
    app.race = parseTuned(tuned);
    showHashNote(parsed.ignored);
  } catch (err) {
    showHashNote(parsed.ignored, `The link's experiment was not valid (${messageOf(err)}); showing the default one.`);
    lab = new app.Lab(JSON.stringify(app.defaults));
  }

  app.player = new Player(tick, onPlayingChange);
  views.time = new LinePlot($("test-error-plot"), { xLabel: "step", yLabel: "test error (log)" });
  views.trajectory = new TrajectoryPlot($("trajectory-plot"));
  views.pca = new PcaPlot($("pca-plot"));
  views.sens = new SensitivityPlot($("sens-plot"));
  // A resize clears a canvas: redraw the last picture at once (the first resize comes before the
  // first paint), and the current one at the next frame.
  for (const plot of [views.time, views.trajectory.plot]) {
    const redraw = plot.view.onResize;
    plot.view.onResize = () => {
      redraw();
      requestRender();
    };
  }
  views.pca.plot.view.onResize = drawPca;
  views.sens.plot.view.onResize = drawSweep;
  views.truthHeatmap = new Heatmap($("truth-heatmap-slot"), { label: "Heatmap of W*", testid: "truth-heatmap" });
  views.truthHeatmap.canvas.id = "truth-heatmap";
  views.truthBar = new ColourBar($("truth-heatmap-slot"));
  views.yHeatmap = new Heatmap($("truth-y-slot"), {
    label: "Heatmap of Y, the seen values (W* plus noise), grey where unseen",
    testid: "observations-heatmap",
  });
  views.yHeatmap.canvas.id = "observations-heatmap";
  views.truthBars = new SingularValueBars($("truth-bars-slot"), {
    colour: "#9a9a9a",
    label: "Singular values of W*, log scale",
  });

  buildMethodPicker();
  applyView(parsed.view);
  startPool();
  installLab(lab, { enabled: (i) => !off.includes(i) });
  wireControls();
  wireSweep();
  wirePresets();
  watchPcaVisibility();
  window.addEventListener("hashchange", onHashChange);
  window.removeEventListener("message", keepEarly);
  initExtras({
    earlyMessages,
    app, views, $, rebuild, loadConfig, keptRuns, currentConfig, isOwnData, render, requestRender, normaliseMetrics, messageOf, stepOnce,
    reset: () => $("reset").click(), equalRate: EQUAL_RATE,
    stepBy, dropSteps, runMatrix, runHistory, runMetrics, matrixCsv,
    // Paused: once the batches on their way are in. Playing: now (the workers are never all idle
    // while they have steps to take, so waiting would hold every later message forever).
    settled: () => (app.pool && !app.player.playing ? app.pool.idle() : Promise.resolve()),
  });
  // prefers-reduced-motion or autoplay=0: held from the start (player.held), as after a pause.
  if (REDUCED_MOTION || !EMBED.autoplay) {
    app.player.pause();
    updatePlayStatus();
  } else app.player.play();
}

/**
 * Builds a lab from a whole config (CSV, image, recovery map, postMessage); on success it
 * replaces the running one and plays. Returns "" or the error message (the running lab goes on).
 * opts.slots, opts.enabled: each run's colour slot and on/off (keptRuns(), for the same runs).
 */
function loadConfig(config, opts = {}) {
  let lab;
  try {
    if (!config || typeof config !== "object" || Array.isArray(config)) throw new Error("the config must be a JSON object");
    const why = checkConfig(config);
    if (why) throw new Error(why);
    lab = new app.Lab(JSON.stringify(config));
  } catch (err) {
    return messageOf(err).replace(/^config: /, "");
  }
  clearConfigError();
  app.race = null;
  try {
    app.steps = JSON.parse(lab.config_json()).steps ?? app.steps;
  } catch { /* keep the run length */ }
  installLab(lab, runOptions(opts));
  playUnlessHeld();
  return "";
}

/** The running runs' colour slots and on/off, for a new lab with the same runs: {slots, enabled}. */
function keptRuns() {
  return { slots: app.runs.map((r) => r.slot), enabled: app.runs.map((r) => r.enabled) };
}

/** installLab's options from {slots, enabled: bool[]} (a run missing from `enabled` is on). */
function runOptions(opts) {
  return { slots: opts.slots, enabled: opts.enabled ? (i) => opts.enabled[i] !== false : undefined };
}

/**
 * Embedding flags in the query string (docs/embed.md): embed=1 (only the race), controls=0 (no
 * controls), panels=adam,gd (the methods, unless the hash names them), autoplay=0.
 */
const EMBED = (() => {
  const q = new URLSearchParams(location.search);
  const flags = {
    embed: q.get("embed") === "1",
    controls: q.get("controls") !== "0",
    autoplay: q.get("autoplay") !== "0",
    panels: (q.get("panels") || "").split(",").map((t) => t.trim()).filter((t) => /^[a-z_]+$/.test(t)),
    workers: q.get("workers") !== "0", // workers=0: step on the page's thread (for comparison)
  };
  document.documentElement.classList.toggle("embed", flags.embed);
  document.documentElement.classList.toggle("no-controls", !flags.controls);
  return flags;
})();

// In a frame, a link to the same experiment on the full page (the hash is the experiment).
if (EMBED.embed) {
  const full = document.getElementById("full-page");
  const point = () => { full.href = location.pathname + location.hash; };
  point();
  full.addEventListener("click", point);
  full.addEventListener("focus", point);
}

// Messages from an embedding page that come before the page has started (say, sent in the
// frame's load event while the module still loads) are kept, and answered in order once it has.
const earlyMessages = [];
const keepEarly = (event) => earlyMessages.push(event);
window.addEventListener("message", keepEarly);

/** prefers-reduced-motion: no autoplay. */
const REDUCED_MOTION = typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Parses a hash and checks what the core does not (the seed's and the run length's ranges). */
function readHash(hash) {
  const parsed = configFromHash(hash, app.defaults, { methods: app.methods });
  const c = parsed.config;
  const badSeed = seedError(c.problem.seed);
  if (badSeed) {
    parsed.ignored.push(`seed=${c.problem.seed} (${badSeed.replace(/^seed: /, "")})`);
    c.problem.seed = app.defaults.problem.seed;
  }
  if (stepsError(c.steps)) {
    parsed.ignored.push(`steps=${c.steps} (a whole number from 1 to 10⁸)`);
    c.steps = app.defaults.steps;
  }
  return parsed;
}

/** Whether `config`'s problem is your own matrix (a CSV or a picture: `problem.truth`), not a random one. */
function isOwnData(config = app.config) {
  return !!config?.problem?.truth;
}

/**
 * Checks the page's own limits before building a lab (the size it runs smoothly, and the run
 * length and seed its controls and links take): "" or why not.
 */
function checkConfig(config) {
  const beyond = limitsError(config);
  if (beyond) return beyond;
  const t = config?.problem?.truth;
  if (Array.isArray(t)) {
    const rows = t.length;
    const cols = Array.isArray(t[0]) ? t[0].length : 0;
    return sizeError({ ...config, problem: { rows, cols } });
  }
  return sizeError(config);
}

/** Says which parts of a link were ignored (unknown, old or garbled keys), and `extra`. */
function showHashNote(ignored, extra = "") {
  const note = $("hash-note");
  // A garbled link can hold anything: each part cut to 60 characters, at most 10 of them.
  const cut = (t) => (t.length > 60 ? `${t.slice(0, 60)}…` : t);
  const parts = (ignored || []).slice(0, 10).map(cut);
  if (ignored && ignored.length > 10) parts.push(`and ${ignored.length - 10} more`);
  let text = parts.length ? `Ignored in the link: ${parts.join(", ")}.` : "";
  if (extra) text = text ? `${text} ${extra}` : extra;
  note.textContent = text;
  note.hidden = !text;
}

/** View options from the hash (or a preset): they never step, reset or reseed. */
function applyView(view = {}) {
  const v = { ...Object.fromEntries(Object.entries(VIEW_KEYS).map(([k, i]) => [k, i.default])), ...view };
  $("time-metric").value = v.view;
  $("time-x").value = v.x;
  $("time-log").checked = v.ylog === "1";
  $("show-observed").checked = v.dots === "1";
  app.plot.metric = v.view;
  app.plot.x = v.x;
  app.plot.log = v.ylog === "1";
  setDotsVisible(v.dots === "1");
  if (views.time) updateTimePlotAxes();
}

function currentView() {
  return {
    view: app.plot.metric, x: app.plot.x, ylog: app.plot.log ? "1" : "0", dots: $("show-observed").checked ? "1" : "0",
  };
}

function setDotsVisible(on) {
  views.truthHeatmap?.setOverlayVisible(on);
  for (const run of app.runs) run.heatmap.setOverlayVisible(on);
}

/** The hash changed (an edit, back/forward, a preset): view options apply as they are; the
 *  experiment applies hot if only learning rates or on/off differ, else it starts over. */
function onHashChange() {
  if (!app.lab) return;
  app.urlHash = location.hash;
  const parsed = readHash(location.hash);
  showHashNote(parsed.ignored);
  applyView(parsed.view);
  const next = parsed.config;
  const cur = currentConfig();
  const strip = (c) => {
    const x = structuredClone(c);
    delete x.steps;
    for (const o of x.optimizers || []) delete o.learning_rate;
    return JSON.stringify(x);
  };
  if (strip(next) === strip(cur)) {
    // Hot: learning rates, on/off, run length. An error about an earlier change is now stale.
    clearConfigError();
    next.optimizers.forEach((o, i) => {
      const run = app.runs[i];
      if (run?.hasLr && o.learning_rate !== undefined && o.learning_rate !== run.lr) setRunLearningRate(run, String(o.learning_rate), "hash");
    });
    app.runs.forEach((run, i) => {
      const on = !parsed.off.includes(i);
      if (run.enabled !== on) setRunEnabled(run, on);
    });
    if (next.steps !== app.steps) {
      app.steps = next.steps;
      $("steps").value = String(next.steps);
      app.autoStop = true;
      updateSweepLength();
    }
    app.race = parseTuned(parsed.tuned) ?? app.race;
    updateRaceBadge();
    requestRender();
    writeHash();
    return;
  }
  const oldSteps = app.steps;
  app.steps = next.steps ?? app.steps;
  const ok = rebuild(next, { enabled: next.optimizers.map((_, i) => !parsed.off.includes(i)), race: parseTuned(parsed.tuned) });
  if (!ok) {
    app.steps = oldSteps;
    writeHash(); // the URL shows the experiment that runs
  }
}

function wirePresets() {
  const box = $("preset-list");
  box.replaceChildren();
  for (const p of PRESETS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "preset";
    b.dataset.preset = p.id;
    b.textContent = p.title;
    b.setAttribute("aria-describedby", "preset-caption");
    b.addEventListener("click", () => applyPreset(p));
    box.append(b);
  }
}

function applyPreset(p) {
  showPreset(p);
  if (location.hash === `#${p.hash}`) onHashChange();
  else location.hash = p.hash; // hashchange applies it (and the URL is the preset)
}

/** Presses preset `p`'s button and shows its caption (null: none). */
function showPreset(p) {
  for (const b of $("preset-list").children) b.setAttribute("aria-pressed", String(b.dataset.preset === p?.id));
  $("preset-caption").textContent = p?.caption ?? "";
  if (p) $("presets").dataset.preset = p.id;
  else delete $("presets").dataset.preset;
}

/** An experiment as its link, view options aside (what tells two experiments apart). */
function experimentKey(config, enabled) {
  return configToHash(config, enabled, null, { methods: app.methods });
}

/**
 * The preset whose experiment runs, or null: its caption is about that experiment only (a
 * change of a control, a learning rate, a run's on/off, or Back to another one, ends it).
 */
function runningPreset() {
  if (isOwnData()) return null;
  const here = experimentKey(currentConfig(), app.runs.map((r) => r.enabled));
  return PRESETS.find((p) => {
    const { config, off } = readHash(`#${p.hash}`);
    return experimentKey(config, config.optimizers.map((_, i) => !off.includes(i))) === here;
  }) ?? null;
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
  for (const el of document.querySelectorAll("button, input, select")) el.disabled = true;
  console.warn("mc-playground: wasm failed to load:", err);
}

/** "-4,3,2,3000" (the tuned race's sweep protocol in the URL) → {kind, from, to, perDecade, steps}. */
function parseTuned(text) {
  if (!text) return null;
  const v = text.split(",").map(Number);
  if (v.length !== 4 || !v.every(Number.isFinite)) return null;
  return { kind: "tuned", from: v[0], to: v[1], perDecade: v[2], steps: v[3] };
}

// ---------------------------------------------------------------------------------------------
// A lab (one problem and its runs)

/**
 * Makes `lab` the running lab: reads the problem once, (re)builds the panels and frees the
 * previous lab. opts.enabled(i): each run's on/off; opts.slots: each run's colour slot.
 */
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
 * panel's figures becomes its list's tab stop (the roving tab stop of extras.js).
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
    el.tabIndex = 0; // a help text's tab stop (extras.js gives it the same a moment later)
  }
  el.focus();
}

function installLab(lab, opts = {}) {
  dropSteps(); // a request for steps was about the experiment this one replaces
  const old = app.lab;
  app.lab = lab;
  app.config = JSON.parse(lab.config_json());
  app.rows = lab.rows();
  app.cols = lab.cols();
  const rows = app.rows;
  const cols = app.cols;
  const cells = rows * cols;
  const rank = lab.rank();
  const observed = lab.observed_count();
  const truthSv = Float64Array.from(lab.truth_singular_values());
  const runInfo = [];
  for (let i = 0, n = lab.run_count(); i < n; i++) {
    let opt;
    try {
      opt = JSON.parse(lab.run_optimizer_json(i));
    } catch {
      opt = app.config.optimizers?.[i] ?? {};
    }
    const lr = lab.run_learning_rate(i);
    runInfo.push({ name: lab.run_name(i), label: lab.run_label(i), lr: lr ?? undefined, opt });
  }
  // Runs with the same label (two Adams) are told apart by what differs: "Adam (eps 1e-12)".
  distinctLabels(runInfo).forEach((label, i) => { runInfo[i].label = label; });
  const truthPtr = lab.truth_ptr();
  const yPtr = lab.observations_ptr();
  const maskPtr = lab.observed_mask_ptr();
  const knownPtr = typeof lab.known_mask_ptr === "function" ? lab.known_mask_ptr() : 0;
  // Last wasm call above: views now, copied at once (W*, Y and Ω are fixed for the problem).
  const buf = app.wasm.memory.buffer;
  app.truth = new Float64Array(buf, truthPtr, cells).slice();
  app.observations = new Float64Array(buf, yPtr, cells).slice();
  app.mask = new Uint8Array(buf, maskPtr, cells).slice();
  app.known = knownPtr ? new Uint8Array(buf, knownPtr, cells).slice() : new Uint8Array(cells).fill(1);
  app.unknownCount = app.known.reduce((a, v) => a + (v ? 0 : 1), 0);
  app.testCount = app.known.reduce((a, v, k) => a + (v && !app.mask[k] ? 1 : 0), 0); // the unseen entries the test error is on

  let scale = 0;
  for (const v of app.truth) if (Math.abs(v) > scale) scale = Math.abs(v);
  if (!(scale > 0)) scale = 1;
  app.scale = scale;
  const erank = effectiveRank(truthSv);

  // The problem's figures, in the header and the truth panel.
  fill("size", `${rows} × ${cols}`);
  const all = observed >= cells;
  fill("seen-phrase", all
    ? `we see all ${cells} of its entries (the dots), so nothing is left to fill in and the test error is n/a`
    : `we see only ${observed} of its ${cells} entries (the dots)`);
  fill("fill-phrase", all ? "" : ", so the rest can in principle be filled in");
  // Your own matrix (a CSV or a picture) has no rank the page knows: `rank` is then only the
  // config's default, so say nothing of it.
  const own = isOwnData();
  fill(
    "rank-phrase",
    own ? "your matrix: the loss assumes it is close to low rank"
      : rank === 1 ? "rank 1: each row is a multiple of one pattern" : `rank ${rank}: each row mixes the same ${rank} patterns`,
  );
  fill("start-phrase", startPhrase(app.config.model));
  fill("truth-erank", formatNumber(round(erank, 2)));
  $("truth-rank").textContent = own ? "–" : String(rank);
  $("truth-erank").textContent = formatNumber(round(erank, 2));
  // Your data with unknown cells: its singular values (and effective rank) are those of the
  // matrix with those cells at 0, not of a completion.
  $("truth-bars-label").textContent = app.unknownCount
    ? "singular values (log) with the unknown cells at 0, ▬ in each panel"
    : "singular values (log), ▬ in each panel";
  $("truth-erank").title = app.unknownCount ? "of the matrix with its unknown cells at 0" : "";
  $("truth-observed").textContent = all ? `all ${cells} (no test entries)` : `${observed} of ${cells}`;
  document.body.dataset.allObserved = String(all);
  $("truth-scale").textContent = formatNumber(scale);
  const truthPanel = $("truth-panel");
  truthPanel.dataset.rows = String(rows);
  truthPanel.dataset.cols = String(cols);
  truthPanel.dataset.observed = String(observed);

  views.truthHeatmap.setProblem(rows, cols, scale, app.mask, app.known);
  views.truthHeatmap.setOverlayVisible($("show-observed").checked);
  views.truthHeatmap.draw(app.truth);
  views.truthBar.setScale(scale);
  views.truthBars.setProblem(truthSv);
  views.truthBars.draw(truthSv);
  views.trajectory.setProblem(erank);

  // Noise: Y differs from W* on Ω; show Y beside W* and how far apart they are.
  const noise = app.config.problem?.noise ?? 0;
  const noisy = noise > 0;
  $("truth-y").hidden = !noisy;
  $("truth-noise-row").hidden = !noisy;
  truthPanel.dataset.noise = String(noise);
  if (noisy) {
    views.yHeatmap.setProblem(rows, cols, scale, null);
    views.yHeatmap.setOnly(app.mask);
    views.yHeatmap.draw(app.observations);
    let num = 0;
    let den = 0;
    for (let k = 0; k < cells; k++) {
      if (!app.mask[k]) continue;
      num += (app.observations[k] - app.truth[k]) ** 2;
      den += app.truth[k] ** 2;
    }
    $("truth-noise").textContent = den > 0 ? formatFigure(Math.sqrt(num / den)) : "–";
  }

  // Panels: rebuilt for every lab (a change here is rare and starts over anyway). The keyboard
  // focus, if it was in a panel (N or R pressed on a figure), goes to the same place in the new one.
  const focusAt = focusPath($("matrices"));
  const prev = app.runs;
  for (const r of prev) r.destroy();
  const slots = assignSlots(runInfo.map((r) => r.name), opts.slots && opts.slots.length === runInfo.length ? opts.slots : []);
  const isOn = opts.enabled || (() => true);
  const overlay = $("show-observed").checked;
  app.runs = runInfo.map((info, i) => {
    const enabled = isOn(i);
    const panel = new RunPanel($("matrices"), {
      ...info, index: i, enabled, slot: slots[i], colour: runColour(slots[i]), canRemove: runInfo.length > 1,
    }, panelCallbacks);
    panel.dash = runDash(slots[i], info.name);
    panel.marker = runMarker(slots[i]);
    panel.heatmap.setProblem(rows, cols, scale, app.mask);
    panel.heatmap.setOverlayVisible(overlay);
    panel.colourBar.setScale(scale);
    panel.bars.setProblem(truthSv);
    panel.copyButton.disabled = runInfo.length >= MAX_RUNS;
    if (!enabled) lab.set_enabled(i, false);
    return panel;
  });
  buildLegend();
  updateMethodPicker();
  fillExportViews();
  refocus($("matrices"), focusAt);

  if (old) old.free();
  app.msPerStep = 0; // measured again on the new lab's first frame
  app.startFrames = readFrames(lab, HISTORY_METRICS, true);
  app.pool?.install(lab.config_json(), app.runs.map((r) => r.enabled), app.startFrames.slice());
  showStepper();
  showModelHint();

  fillControls(app.config);
  if (isOwnData()) {
    // Explicit data: the size controls show the data's size (a change goes back to random problems).
    $("rows").value = String(rows);
    $("cols").value = String(cols);
    $("rank").value = String(rank);
    $("observed").value = String(observed);
  }
  $("init-scale").disabled = $("init").value === "observed";
  $("steps").value = String(app.steps);
  app.autoStop = true;
  app.pca.result = null;
  app.pca.cost = 0;
  markPcaDirty();
  drawPca();
  updateRaceBadge();
  updateSweepStale();
  updateCopyLink();
  updateHash();
  render();
  app.onInstall?.();
}

/**
 * A hint when nothing can move: from the seen entries with no penalty (or λ = 0), the start
 * already fits every seen value exactly, so it already minimises the loss (gradient 0).
 */
function showModelHint() {
  const c = app.config;
  const still = c.model?.init === "observed" && (c.objective?.penalty === "none" || c.objective?.lambda === 0);
  const hint = still
    ? "Nothing will move: the start (the seen entries, zeros elsewhere) already fits every seen value, and with " +
      (c.objective?.penalty === "none" ? "no penalty" : "λ = 0") + " that is a minimum of the loss (its gradient is 0). " +
      "Add a penalty, or start from a small random matrix."
    : "";
  const note = $("model-hint");
  note.textContent = hint;
  note.hidden = !hint;
}

function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

function startPhrase(model) {
  const depth = model?.depth ?? 1;
  const net = depth > 1 ? ` (W is a product of ${depth} matrices, a deep linear network)` : "";
  switch (model?.init) {
    case "gaussian": return `the same small random matrix${net}`;
    case "identity": return `the same small multiple of the identity${net}`;
    case "orthogonal": return `the same small product of orthogonal matrices${net}`;
    default: return `the same guess (the seen entries, zeros elsewhere)${net}`;
  }
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

function buildLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  for (const run of app.runs) {
    const li = document.createElement("li");
    li.dataset.run = run.name;
    li.classList.toggle("off", !run.enabled);
    const sw = document.createElement("span");
    sw.className = `legend-line${run.dash.length ? " dashed" : ""}`;
    sw.style.setProperty("--run-colour", run.colour);
    sw.setAttribute("aria-hidden", "true");
    const mk = document.createElement("span");
    mk.className = `legend-marker ${run.marker}`;
    mk.style.setProperty("--run-colour", run.colour);
    mk.setAttribute("aria-hidden", "true");
    li.append(sw, mk, run.label);
    if (run.dash.length) li.title = `${run.label}: dashed line, square marker`;
    legend.append(li);
  }
}

// ---------------------------------------------------------------------------------------------
// The methods: the picker, copy and remove (each a new lab: a reset)

function buildMethodPicker() {
  const box = $("method-picker");
  box.replaceChildren();
  for (const m of app.methods) {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.method = m.name;
    const input = document.createElement("input");
    input.type = "checkbox";
    input.id = `method-${m.name}`;
    input.dataset.method = m.name;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.title = METHOD_INFO[m.name]?.about ?? m.name;
    const dot = document.createElement("span");
    dot.className = "chip-dot";
    dot.setAttribute("aria-hidden", "true");
    const count = document.createElement("span");
    count.className = "chip-count";
    label.append(dot, methodLabel(m.name), count);
    chip.append(input, label);
    box.append(chip);
    input.addEventListener("change", () => onMethodToggle(m.name, input));
  }
}

function updateMethodPicker() {
  const full = app.runs.length >= MAX_RUNS;
  for (const chip of $("method-picker").children) {
    const name = chip.dataset.method;
    const input = chip.querySelector("input");
    const runs = app.runs.filter((r) => r.name === name);
    input.checked = runs.length > 0;
    input.disabled = full && runs.length === 0;
    chip.classList.toggle("on", runs.length > 0);
    chip.style.setProperty("--run-colour", runs.length ? runs[0].colour : "transparent");
    chip.querySelector(".chip-count").textContent = runs.length > 1 ? ` ×${runs.length}` : "";
  }
  $("methods-count").textContent = `${app.runs.length} run${app.runs.length === 1 ? "" : "s"} (at most ${MAX_RUNS})`;
}

/** The running config with the current learning rates (a copy). */
function currentConfig() {
  const config = structuredClone(app.config);
  config.steps = app.steps;
  app.runs.forEach((r, i) => {
    if (r.hasLr && config.optimizers?.[i]) config.optimizers[i].learning_rate = r.lr;
  });
  return config;
}

/** The rate every method with one shares, or null. */
function equalRate() {
  const lrs = app.runs.filter((r) => r.hasLr).map((r) => r.lr);
  return lrs.length && lrs.every((v) => v === lrs[0]) ? lrs[0] : null;
}

/** A new run of method `name` with its defaults (at the shared rate if the race is an equal one). */
function newMethodConfig(name) {
  const base = app.methods.find((m) => m.name === name);
  const opt = base ? structuredClone(base) : { name };
  const r = app.race ? null : equalRate();
  if (opt.learning_rate !== undefined && r !== null) opt.learning_rate = r;
  return opt;
}

function onMethodToggle(name, input) {
  const config = currentConfig();
  const slots = app.runs.map((r) => r.slot);
  const enabled = app.runs.map((r) => r.enabled);
  if (input.checked) {
    if (app.runs.length >= MAX_RUNS) {
      input.checked = false;
      return;
    }
    config.optimizers.push(newMethodConfig(name));
    slots.push(null); // its own colour if free
    enabled.push(true);
  } else {
    const keep = app.runs.map((r) => r.name !== name);
    if (!keep.some(Boolean)) {
      input.checked = true;
      showConfigError("Keep at least one method.", null, "method-picker");
      return;
    }
    config.optimizers = config.optimizers.filter((_, i) => keep[i]);
    filterInPlace(slots, keep);
    filterInPlace(enabled, keep);
  }
  if (!rebuild(config, { changedId: `method-${name}`, slots, enabled })) updateMethodPicker();
}

function filterInPlace(arr, keep) {
  const out = arr.filter((_, i) => keep[i]);
  arr.length = 0;
  arr.push(...out);
}

function onRemoveRun(panel) {
  if (app.runs.length <= 1) return;
  const config = currentConfig();
  const keep = app.runs.map((r) => r !== panel);
  config.optimizers = config.optimizers.filter((_, i) => keep[i]);
  const slots = app.runs.map((r) => r.slot).filter((_, i) => keep[i]);
  const enabled = app.runs.map((r) => r.enabled).filter((_, i) => keep[i]);
  rebuild(config, { slots, enabled, panel });
}

function onCopyRun(panel) {
  if (app.runs.length >= MAX_RUNS) return;
  const config = currentConfig();
  const i = panel.index;
  config.optimizers.splice(i + 1, 0, structuredClone(config.optimizers[i]));
  const slots = app.runs.map((r) => r.slot);
  const enabled = app.runs.map((r) => r.enabled);
  slots.splice(i + 1, 0, null);
  enabled.splice(i + 1, 0, true);
  rebuild(config, { slots, enabled, panel, race: app.race });
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
  const config = currentConfig();
  config.optimizers[panel.index].eps = v;
  const ok = rebuild(config, {
    ...keptRuns(), panel, keepRace: false,
  });
  if (!ok) panel.epsInput.setAttribute("aria-invalid", "true");
}

/**
 * Builds a new lab from `config`; on success it replaces the running one (and plays), on error
 * the running lab keeps going and the message is shown next to the control that caused it.
 * opts: {changedId, panel, slots, enabled, race}
 */
function rebuild(config, opts = {}) {
  config.steps = app.steps;
  let lab;
  try {
    const why = checkConfig(config);
    if (why) {
      const e = new Error(why);
      e.fieldId = opts.changedId === "cols" ? "cols" : "rows";
      throw e;
    }
    lab = new app.Lab(JSON.stringify(config));
  } catch (err) {
    const labels = (config.optimizers || []).map((o) => methodLabel(o.name));
    const explained = explainLabError(messageOf(err), labels);
    const fieldId = explained.fieldId || err.fieldId || null;
    const message = `Not applied: ${explained.text}. ${restoreControls(config)}The previous experiment keeps running.`;
    if (opts.panel && !fieldId && (explained.runIndex === null || explained.runIndex === opts.panel.index)) opts.panel.showError(message);
    else showConfigError(message, fieldId || opts.changedId);
    return false;
  }
  clearConfigError();
  app.race = opts.race ?? null;
  installLab(lab, runOptions(opts));
  playUnlessHeld();
  return true;
}

/** After a new experiment: play, unless the reader has paused (player.held: it waits at step 0). */
function playUnlessHeld() {
  if (!app.player.held) {
    app.player.play();
    return;
  }
  updatePlayStatus();
  // The Play button out of view (the change was made further down): say so where the reader is.
  const r = $("play").getBoundingClientRect();
  if (EMBED.controls && (r.bottom <= 0 || r.top >= innerHeight || r.width === 0)) {
    const note = $("held-note");
    note.hidden = false;
    clearTimeout(app.heldNoteTimer);
    app.heldNoteTimer = setTimeout(() => { note.hidden = true; }, 8000);
  }
}

// ---------------------------------------------------------------------------------------------
// Hot changes (applied to the running lab) and problem changes (a new lab)

const panelCallbacks = {
  onEnable: setRunEnabled,
  onLearningRate: setRunLearningRate,
  onEps,
  onRemove: onRemoveRun,
  onCopy: onCopyRun,
};

function setRunEnabled(run, on) {
  run.setEnabled(on);
  app.lab.set_enabled(run.index, on);
  app.pool?.setEnabled(run.index, on);
  const li = $("legend").children[run.index];
  if (li) li.classList.toggle("off", !on);
  drawPca();
  updateRaceBadge();
  updateHash();
  requestRender();
}

function setRunLearningRate(run, text, from) {
  const t = String(text).trim();
  const v = decimalNumber(t);
  const fail = (msg) => {
    run.showError(msg);
    run.lrInput.setAttribute("aria-invalid", "true");
  };
  if (t === "" || !Number.isFinite(v)) return fail("learning rate: enter a number");
  try {
    app.lab.set_learning_rate(run.index, v); // checks it (and keeps the config current)
    app.pool?.setLearningRate(run.index, v);
  } catch (err) {
    return fail(messageOf(err).replace(/^optimizers\[\d+\]\.learning_rate:\s*/, "learning rate: "));
  }
  const changed = v !== run.lr;
  run.showLearningRate(v, from);
  if (app.config.optimizers?.[run.index]) app.config.optimizers[run.index].learning_rate = v;
  if (changed) app.race = null;
  updateRaceBadge();
  updateHash();
}

/**
 * After a rejected change: puts the running lab's values back into every problem control (so no
 * field shows a value the running lab does not use) and says which ones went back.
 */
function restoreControls(rejected) {
  const back = [];
  for (const f of PROBLEM_FIELDS) {
    const el = $(f.id);
    const running = f.path.reduce((o, k) => (o == null ? undefined : o[k]), app.config);
    if (!el || running === undefined) continue;
    if (el.value !== String(running)) back.push(`${f.name} ${el.value === "" ? "(empty)" : el.value} → ${running}`);
  }
  void rejected;
  fillControls(app.config);
  $("init-scale").disabled = $("init").value === "observed";
  return back.length ? `Back to the running values (${back.join(", ")}). ` : "";
}

/** Where the config error goes: into the group of the control it is about. */
function showConfigError(message, fieldId, groupOf) {
  const box = $("config-error");
  box.textContent = message;
  box.hidden = false;
  box.dataset.field = fieldId || groupOf || ""; // what it is about (a later good value there clears it)
  for (const f of PROBLEM_FIELDS) $(f.id).removeAttribute("aria-invalid");
  $("steps").removeAttribute("aria-invalid");
  const target = (fieldId && $(fieldId)) || (groupOf && $(groupOf));
  const group = target?.closest("fieldset");
  if (group) group.append(box);
  else document.querySelector(".controls").append(box);
  if (fieldId && $(fieldId) && PROBLEM_FIELDS.some((f) => f.id === fieldId)) {
    $(fieldId).setAttribute("aria-invalid", "true");
    $(fieldId).setAttribute("aria-describedby", "config-error");
  }
}

function clearConfigError() {
  $("config-error").hidden = true;
  $("config-error").textContent = "";
  $("config-error").dataset.field = "";
  for (const f of [...PROBLEM_FIELDS.map((f) => f.id), "steps"]) {
    $(f).removeAttribute("aria-invalid");
    $(f).removeAttribute("aria-describedby");
  }
}

function showModelNote(text) {
  const note = $("model-note");
  note.textContent = text;
  note.hidden = !text;
}

/** A problem, model or loss control changed: build a new lab; on error keep the running one. */
function onProblemChange(changedId) {
  if (changedId === "depth") {
    const depth = Number($("depth").value);
    if (depth >= 2 && $("init").value === "observed") {
      $("init").value = "gaussian";
      app.autoInit = true;
      showModelNote("Starting from the seen entries works at depth 1 only, so the start is now small and random (gaussian).");
    } else if (depth === 1 && app.autoInit && $("init").value === "gaussian") {
      $("init").value = "observed";
      app.autoInit = false;
      showModelNote("Back at depth 1: the start is the seen entries again.");
    } else showModelNote("");
  } else if (changedId === "init") {
    app.autoInit = false;
    showModelNote("");
  }
  $("init-scale").disabled = $("init").value === "observed";
  let config;
  const cur = currentConfig();
  try {
    config = configFromControls(cur, app.runs.map((r) => r.lr));
  } catch (err) {
    showConfigError(`Not applied: ${err.message}. ${restoreControls(null)}The previous experiment keeps running.`, err.fieldId || changedId);
    return;
  }
  if (isOwnData(cur)) {
    // Your data: a new size or rank goes back to random problems; a new seen count draws Ω at
    // random among the known cells; anything else keeps the data as it is.
    if (["rows", "cols", "rank"].includes(changedId)) {
      delete config.problem.truth;
      delete config.problem.observed_entries;
    } else {
      delete config.problem.rows;
      delete config.problem.cols;
      delete config.problem.rank;
      if (changedId === "observed") delete config.problem.observed_entries;
      else if (cur.problem.observed_entries) delete config.problem.observed;
      else config.problem.observed = cur.problem.observed;
    }
  }
  rebuild(config, { changedId, ...keptRuns() });
}

function onStepsChange() {
  const el = $("steps");
  const t = el.value.trim();
  const v = t === "" ? NaN : Number(t);
  const bad = stepsError(v);
  if (bad) {
    showConfigError(`Not applied: ${bad}. Back to ${app.steps}.`, "steps");
    el.value = String(app.steps);
    el.setAttribute("aria-invalid", "true");
    return;
  }
  el.removeAttribute("aria-invalid");
  if ($("config-error").dataset.field === "steps") clearConfigError();
  app.steps = v;
  app.config.steps = v;
  app.autoStop = true;
  updateSweepLength();
  updateHash();
  requestRender();
}

/** Writes the experiment into the URL, at most a few times a second (sliders fire often). */
function updateHash() {
  clearTimeout(app.hashTimer);
  app.hashTimer = setTimeout(writeHash, 250);
}

function writeHash() {
  // A hash the page has not applied yet (Back, a preset, an edit: its hashchange is on its way)
  // is the experiment to come: never write the running one over it, nor show the running one's
  // preset (a preset just clicked showed the one before it until the next write).
  if (location.hash !== app.urlHash) return;
  showPreset(runningPreset());
  if (isOwnData()) {
    // Your own data is not put in the link (it stays in this browser).
    const bare = location.pathname + location.search;
    if (location.hash) history.replaceState(null, "", bare);
    app.urlHash = location.hash;
    return;
  }
  const r = app.race;
  const tuned = r ? `${r.from},${r.to},${r.perDecade},${r.steps}` : null;
  // Every field is written (defaults = null), so that a link keeps meaning the same run even if
  // the core's defaults change; hyper-parameters at their method's default are left out.
  const hash = configToHash(currentConfig(), app.runs.map((x) => x.enabled), null, { methods: app.methods, tuned, view: currentView() });
  const url = location.pathname + location.search + hash;
  if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  app.urlHash = location.hash;
}

// ---------------------------------------------------------------------------------------------
// Which race is showing

function protocolPhrase(p) {
  const rates = `${formatPow10(p.from)} to ${formatPow10(p.to)}, ${p.perDecade} per decade`;
  return `rates ${rates}, ${p.steps} steps each, lowest final test error`;
}

function updateRaceBadge() {
  const badge = $("race-badge");
  const caption = $("race-caption");
  const lrRuns = app.runs.filter((r) => r.hasLr);
  let kind;
  let badgeText;
  let text;
  const r = equalRate();
  const rates = lrRuns.map((x) => `${x.label} ${formatNumber(x.lr)}`).join(", ");
  if (app.race?.kind === "tuned") {
    kind = "tuned";
    badgeText = "tuned: each method at its best rate";
    text = `${app.sweepResult ? "From the sweep below" : "From a learning-rate sweep"} (${protocolPhrase(app.race)}): ${rates}.`;
    // What GD does is only said for the problem it was checked on (the default one), with GD in
    // the race at the rate it was checked at (about 100).
    const defaultRuns = app.defaults.optimizers;
    const gd = app.runs.find((x) => x.name === "gd" && x.enabled && x.hasLr);
    if (gd && Math.abs(Math.log10(gd.lr / 100)) <= 0.5 &&
      isDefaultExperiment({ ...currentConfig(), optimizers: defaultRuns }, defaultRuns.map(() => true))) {
      text += " GD now finds W* too, but only near rate 100 (ten thousand times the 0.01 at which Adam wins the equal race) " +
        "and in a narrow window: on the default experiment its final test error is 0.999 at 0.01, 0.93 at 1, 0.44 at 10, 0.0176 at 100.";
    }
  } else if (!lrRuns.length) {
    kind = "none";
    badgeText = "no learning rates";
    text = "None of these methods has a learning rate to tune.";
  } else if (r !== null) {
    kind = "equal";
    badgeText = lrRuns.length === 1 ? `learning rate ${formatNumber(r)}` : `equal learning rates ${formatNumber(r)}`;
    // The claim about who wins is only made for the experiment it was checked on: the default
    // one (six methods, the default problem, every run on); otherwise a plain description.
    const isDefault = isDefaultExperiment(currentConfig(), app.runs.map((x) => x.enabled));
    text = isDefault && r === EQUAL_RATE
      ? "Every method with a learning rate uses 0.01. Adam and RMSProp find W*; GD, momentum and Nesterov hardly move, " +
        "because their step is the rate times gradients of only a few 10⁻⁶ to 3·10⁻⁴ per entry, while Adam's step is about the rate itself. " +
        "That says more about the rate than about the methods: see the sweep below for a fair race."
      : equalRaceText(lrRuns, app.runs.filter((x) => !x.hasLr), r);
  } else {
    kind = "custom";
    badgeText = "learning rates set by hand";
    text = `Each method at its own rate: ${rates}.`;
  }
  badge.dataset.race = kind;
  badge.textContent = badgeText;
  caption.textContent = text;
  // "Back to equal rates" only when they are not equal already.
  $("race-equal-top").hidden = kind === "equal" || kind === "none";
}

/**
 * Whether `config` with its runs on/off as `enabled` is the default experiment, at any run length.
 * Your own data (problem.truth) is not in the hash, so it is checked apart: it never is.
 */
function isDefaultExperiment(config, enabled) {
  const shown = { ...config, steps: app.defaults.steps };
  return !isOwnData(config) && configToHash(shown, enabled, app.defaults, { methods: app.methods }) === "";
}

/** "Adam and GD both use rate 0.01; Newton has none." */
function equalRaceText(withLr, without, rate) {
  const list = (runs) => {
    const names = runs.map((x) => x.label);
    return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
  };
  const uses = withLr.length === 1 ? "uses" : withLr.length === 2 ? "both use" : "all use";
  const none = without.length ? `; ${list(without)} ${without.length === 1 ? "has" : "have"} none` : "";
  return `${list(withLr)} ${uses} rate ${formatNumber(rate)}${none}.`;
}

function raceEqual() {
  const config = currentConfig();
  for (const o of config.optimizers) if (o.learning_rate !== undefined) o.learning_rate = EQUAL_RATE;
  rebuild(config, keptRuns());
}

// ---------------------------------------------------------------------------------------------
// The loop

/** Steps still to go before every live, enabled run reaches the run length (0 if none). */
function remainingSteps() {
  let rem = 0;
  for (const run of app.runs) {
    const m = app.pool ? runMetrics(run.index) : run.metrics;
    if (!run.enabled || !m || m.diverged_at !== null) continue;
    rem = Math.max(rem, app.steps - m.step);
  }
  return rem;
}

/** Milliseconds of stepping per frame, at most; keeps big problems and slow methods responsive. */
const FRAME_BUDGET_MS = 35;

function hasLiveEnabledRun() {
  return app.runs.some((r) => {
    const m = app.pool ? runMetrics(r.index) : r.metrics;
    return r.enabled && m && m.diverged_at === null;
  });
}

/** Most steps run i may still take this play: 0 if it is off or diverged. */
function stepLimit(i) {
  const run = app.runs[i];
  const m = run && (app.pool ? runMetrics(i) : run.metrics); // the workers' latest, not the last drawn
  if (!run || !run.enabled || !m || m.diverged_at !== null) return 0;
  return app.autoStop ? Math.max(0, app.steps - m.step) : Infinity;
}

/** A frame with workers: grant them this frame's steps, send idle ones a batch, draw the latest. */
function tickWorkers() {
  if (!hasLiveEnabledRun()) {
    render();
    return false;
  }
  if (app.autoStop && remainingSteps() <= 0 && !app.pool.busy) {
    // Every live, enabled run reached the run length: stop; Play goes on past it.
    app.autoStop = false;
    render();
    return false;
  }
  app.pool.allow(app.stepsPerFrame);
  app.pool.pump(stepLimit, historyNames());
  // The workers fall behind when a frame's steps take longer than a frame.
  const now = performance.now();
  if (app.lastTick > 0 && now - app.lastTick < 1000) app.frameMs = 0.9 * app.frameMs + 0.1 * (now - app.lastTick);
  app.lastTick = now;
  app.throttled = app.pool.msPerStep * app.stepsPerFrame > app.frameMs;
  // Draw only what is new: a frame without a reply from the workers has nothing to show.
  if (app.pool.version !== app.drawn) render();
  return true;
}

function tick() {
  if (app.pool) return tickWorkers();
  // Big problems: do fewer steps per frame rather than freeze the page.
  let k = Math.min(app.stepsPerFrame, pageBatch());
  app.throttled = app.msPerStep > 0 && k < app.stepsPerFrame;
  if (!hasLiveEnabledRun()) {
    render();
    return false;
  }
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
  try {
    app.lab.step(k);
  } catch (err) {
    // A trap in the core (a Rust panic) must never freeze the page: rebuild it and go on.
    if (isTrap(err)) {
      recoverFromTrap(err);
      return false;
    }
    throw err;
  }
  measureSteps(t0, k);
  markPcaDirty();
  render();
  if (app.autoStop && remainingSteps() <= 0) {
    app.autoStop = false;
    return false;
  }
  return true;
}

/**
 * Most steps of the page's own lab in one go (FRAME_BUDGET_MS of measured work); the first of a
 * lab is one step, to measure its cost before taking more.
 */
function pageBatch() {
  return app.msPerStep > 0 ? Math.max(1, Math.floor(FRAME_BUDGET_MS / app.msPerStep)) : 1;
}

/** Smooths in the measured cost of the page's k steps begun at t0. */
function measureSteps(t0, k) {
  const perStep = (performance.now() - t0) / k;
  app.msPerStep = app.msPerStep > 0 ? 0.8 * app.msPerStep + 0.2 * perStep : perStep;
}

/** A WebAssembly trap (what a Rust panic becomes), not an ordinary thrown Error. */
function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError || /unreachable|panicked/i.test(String(err && err.message));
}

let instances = 0;

/**
 * After a trap the module's memory cannot be trusted: load a fresh instance of the module (a new
 * URL makes a new ES module), rebuild the same experiment from the last config, say so, and
 * keep playing. Nothing is reloaded.
 */
async function recoverFromTrap(err) {
  app.player?.stop(); // not the reader's pause: the rebuilt experiment plays if this one did
  const box = $("load-error");
  const config = JSON.stringify(app.config ?? app.defaults);
  try {
    instances += 1;
    const mod = await import(`./pkg/mc_playground.js?instance=${instances}`);
    app.wasm = await mod.default();
    app.Lab = mod.Lab;
    app.SensitivityRunner = mod.SensitivityRunner;
    app.lab = null; // the old instance is gone; do not call into it again
    installLab(new app.Lab(config));
    box.textContent = `The core stopped with an internal error (${messageOf(err)}); the experiment was rebuilt from its start. Please report this with the link.`;
    box.hidden = false;
    if (app.player) playUnlessHeld();
  } catch (again) {
    box.textContent = `The core stopped with an internal error and could not be restarted (${messageOf(again)}). Reload the page.`;
    box.hidden = false;
  }
}

// For the browser test of this path only: with workers, the first worker's core traps at once
// as on a panic; without, the page's next step traps.
window.__mcpSimulateTrap = () => {
  if (app.pool) {
    app.pool.slots[0]?.worker.postMessage({ type: "trap" });
    return;
  }
  const real = app.lab.step.bind(app.lab);
  app.lab.step = () => {
    app.lab.step = real;
    throw new WebAssembly.RuntimeError("unreachable (simulated panic)");
  };
};

// ---------------------------------------------------------------------------------------------
// The workers (www/pool.js)

/** Starts the worker pool unless ?workers=0 or the browser has no workers (then the page steps). */
function startPool() {
  if (!EMBED.workers) return showStepper();
  try {
    app.pool = new WorkerPool({
      onState: onWorkerState,
      onTrap: onWorkerTrap,
      onError: (message) => showCoreError(`A worker reported an error: ${message}.`),
      onFail: onWorkersFailed,
      current: () => ({ config: app.lab.config_json(), enabled: app.runs.map((r) => r.enabled) }),
    });
  } catch (err) {
    console.warn("mc-playground: no workers, stepping on the page's thread:", err);
    app.pool = null;
  }
  showStepper();
}

/** Read-only facts for tests and curious readers: how many workers step the runs (0: none). */
function showStepper() {
  document.body.dataset.workers = String(app.pool ? app.pool.size : 0);
}

function onWorkerState() {
  markPcaDirty();
  if (app.player?.playing) app.pool.pump(stepLimit, historyNames());
  else requestRender();
}

/**
 * A worker's core trapped: its runs start over in a new worker; the others go on. Playing or
 * paused stays as the user left it (a trap while paused, e.g. in a step or an export, must not
 * start playing).
 */
function onWorkerTrap(slot, message) {
  for (const i of slot.own) app.pool.frames[i] = app.startFrames[i];
  app.autoStop = true;
  render();
  const labels = slot.own.map((i) => app.runs[i]?.label).filter(Boolean).join(", ");
  showCoreError(`The core stopped with an internal error (${message}); its runs (${labels}) were rebuilt from their start. Please report this with the link.`);
}

function showCoreError(text) {
  const box = $("load-error");
  box.textContent = text;
  box.hidden = false;
}

/**
 * The workers could not start: the page steps its own Lab (still at step 0). `midway`: a new
 * worker could not start after others had stepped: the runs start over on the page's thread.
 */
function onWorkersFailed(err, midway = false) {
  console.warn("mc-playground: the workers could not start, stepping on the page's thread:", err);
  app.pool = null;
  showStepper();
  app.lab.reset();
  if (midway) {
    app.autoStop = true;
    showCoreError(`The runs now step on the page's own thread, from their start: ${messageOf(err)}.`);
  }
  requestRender();
}

function onPlayingChange(playing) {
  if (playing) $("held-note").hidden = true;
  if (playing) dropSteps(); // playing takes over from a request for steps
  // With workers, "paused" shows once the batches already sent are in and drawn (a batch cannot
  // be called back; a reply may also have come after the last frame): from then on the figures
  // stay as they are.
  if (!playing && app.pool) {
    // Until then the button says so at once (a batch of big runs can take a second or more);
    // it is pressed again (Play) until the pause has taken effect.
    $("play").textContent = "Pausing…";
    app.pool.idle().then(() => {
      if (app.player.playing) return;
      render();
      showPlaying(false);
    });
    return;
  }
  showPlaying(playing);
}

function showPlaying(playing) {
  const b = $("play");
  b.textContent = playing ? "Pause" : "Play";
  b.setAttribute("aria-pressed", String(playing));
  document.body.dataset.playing = String(playing);
  updatePlayStatus();
  if (!playing) schedulePca();
}

function updatePlayStatus() {
  let text = "";
  if (app.player && app.player.playing) {
    if (app.throttled) {
      text = app.pool ? "fewer steps per frame than asked: the steps take longer than a frame"
        : "fewer steps per frame to keep the page smooth";
    }
  } else if (app.runs.length && app.runs.every((r) => !r.enabled)) {
    text = "every run is off: tick “on” in a run's panel to step it";
  } else if (app.runs.length && !hasLiveEnabledRun() && app.runs.some((r) => r.metrics)) {
    text = "every run that is on has diverged: lower the learning rates if they are too high, then reset";
  } else if (!app.autoStop && app.runs.some((r) => r.metrics && r.metrics.step >= app.steps)) {
    text = `stopped at step ${app.steps}; press Play to go on`;
  } else if (app.runs.length && app.runs.every((r) => !r.metrics || r.metrics.step === 0)) {
    text = "paused at step 0: press Play to start";
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
    ratio: m.ratio,
    nuclear_norm: m.nuclear_norm,
    frobenius_norm: m.frobenius_norm,
    subspace_angle_truth: m.subspace_angle_truth,
    subspace_angle_start: m.subspace_angle_start,
    time: m.time ?? null,
    diverged_at: m.diverged_at ?? null,
    diverged_reason: m.diverged_reason ?? null,
  };
}

/** The figures the shared time plot can show: label, log scale by default, caption. */
const METRICS = {
  test_error: { label: "test error", log: true, caption: "Error on the entries nobody sees. Lower is better; 1 is where they start (from the seen entries)." },
  train_error: { label: "train error", log: true, caption: "Distance from the seen values. The start from the seen entries fits them exactly (0)." },
  objective: { label: "objective f", log: true, caption: "The loss being minimised, c · (fit + λ · penalty)." },
  effective_rank: { label: "effective rank", log: false, caption: "Roughly how many singular values matter; W* has about its rank." },
  ratio: { label: "ratio ‖W‖*/‖W‖F", log: false, caption: "The ratio penalty: nuclear over Frobenius norm; small when a few singular values dominate." },
  subspace_angle_truth: { label: "angle to W*", log: true, caption: "Sine of the largest angle between W's and W*'s main column spaces: 0 when W points where W* does." },
  subspace_angle_start: { label: "angle to start", log: true, caption: "The same angle between W and the start: near 0, a run has not left the start's column space." },
  nuclear_norm: { label: "nuclear norm", log: false, caption: "‖W‖*: the sum of the singular values." },
  frobenius_norm: { label: "Frobenius norm", log: false, caption: "‖W‖F: the root of the sum of squared entries." },
};

/** The histories a frame draws: those of the time plot and the trajectory plot. */
function historyNames() {
  const wanted = ["step", "train_error", "effective_rank", app.plot.metric];
  if (app.plot.x === "time") wanted.push("time");
  return [...new Set(wanted)];
}

/**
 * Every run's frame from a lab: {metrics, sv, W (m×n row-major), len, h: {name: history}}.
 * Wasm calls first (any may grow memory), then views over wasm memory; `copy`: copies that
 * outlive the next wasm call (else views, to draw at once).
 */
function readFrames(lab, names, copy) {
  const cells = app.rows * app.cols;
  const frame = app.runs.map((run, i) => {
    const metrics = normaliseMetrics(lab.metrics(i));
    const sv = lab.singular_values(i);
    const len = lab.history_len(i) || 0;
    const ptrs = names.map((h) => lab.history_ptr(i, h));
    const matrix = lab.matrix_ptr(i);
    return { metrics, sv, len, ptrs, matrix };
  });
  const buf = app.wasm.memory.buffer;
  const view = (p, len) => {
    const v = new Float64Array(buf, p, len);
    return copy ? v.slice() : v;
  };
  return frame.map(({ metrics, sv, len, ptrs, matrix }) => {
    const h = {};
    names.forEach((name, k) => {
      h[name] = ptrs[k] && len ? view(ptrs[k], len) : new Float64Array(0);
    });
    return { metrics, sv, len, h, W: matrix ? view(matrix, cells) : null };
  });
}

/** Every run's latest frame from the workers; asks them for any history not in it yet. */
function poolFrames(names) {
  let missing = false;
  const frames = app.runs.map((_, i) => {
    const f = app.pool.frames[i] ?? app.startFrames[i];
    const h = {};
    for (const name of names) {
      h[name] = f.h[name];
      if (!h[name]) {
        missing = true;
        h[name] = new Float64Array(0);
      }
    }
    return { metrics: normaliseMetrics(f.metrics), sv: f.sv, len: f.len, h, W: f.W && f.W.length ? f.W : null };
  });
  if (missing) app.pool.refresh(names);
  return frames;
}

let firstFrameMarked = false;

/** Reads everything the frame draws (from the workers or the lab), then draws it. */
function render() {
  const lab = app.lab;
  const n = app.runs.length;
  const { metric, x: xKind } = app.plot;
  const names = historyNames();
  const frame = app.pool ? poolFrames(names) : readFrames(lab, names, false);
  app.drawn = app.pool?.version;
  let maxStep = 0;
  for (let i = 0; i < n; i++) {
    const run = app.runs[i];
    const f = frame[i];
    run.metrics = f.metrics;
    maxStep = Math.max(maxStep, f.metrics.step);
    if (f.W) run.heatmap.draw(f.W);
    run.bars.draw(f.sv);
    run.showFigures(f.metrics);
  }
  const counter = $("step-counter");
  if (counter.dataset.step !== String(maxStep)) {
    counter.dataset.step = String(maxStep);
    counter.textContent = `step ${maxStep}`;
    updatePcaStatus();
  }

  const timeSeries = [];
  const trajRuns = [];
  let withTime = 0;
  for (let i = 0; i < n; i++) {
    const run = app.runs[i];
    const f = frame[i];
    const alpha = run.enabled ? 1 : 0.25;
    const diverged = f.metrics.diverged_at !== null;
    let xs = f.h.step;
    let len = f.len;
    if (xKind === "time") {
      xs = f.h.time;
      if (f.metrics.time === null) len = 0;
      else withTime++;
    }
    const style = { colour: run.colour, alpha, dash: run.dash, marker: run.marker, diverged };
    const label = run.enabled ? run.label : "";
    timeSeries.push({ ...style, x: xs, y: f.h[metric], len, endDot: true, label });
    trajRuns.push({ ...style, rank: f.h.effective_rank, train: f.h.train_error, len: f.len, label });
  }
  // Draw the enabled runs last so they sit on top of greyed ones.
  const order = (arr) => arr.filter((_, i) => !app.runs[i].enabled).concat(arr.filter((_, i) => app.runs[i].enabled));
  const xMax = Math.max(app.steps, maxStep, 1);
  views.time.draw(order(timeSeries), {
    xMin: xKind === "time" ? undefined : 0,
    xMax: xKind === "time" ? undefined : xMax,
    empty: xKind === "time" && !withTime ? "no run has a time t: add GD or gradient flow" : "",
  });
  views.trajectory.draw(order(trajRuns));
  if (!firstFrameMarked && n) {
    firstFrameMarked = true;
    performance.mark("mcp-first-frame"); // the heatmaps are drawn (scripts/bench_browser.mjs reads it)
  }
  updatePlayStatus();
  app.onRender?.();
}

/** The shared time plot's axes and caption, from its three controls. */
function updateTimePlotAxes() {
  const { metric, x, log } = app.plot;
  const info = METRICS[metric] || { label: metric, caption: "" };
  const xLabel = x === "time" ? "time t (log): GD's Σ learning rates, gradient flow's ODE time" : "step";
  views.time.setAxes({ xLabel, yLabel: `${info.label}${log ? " (log)" : ""}`, xLog: x === "time", yLog: log });
  $("time-title").textContent = `${info.label[0].toUpperCase()}${info.label.slice(1)} against ${x === "time" ? "time t" : "step"}`;
  let caption = `${info.caption} Lines that overlap (often GD, Momentum and Nesterov, all near 1 at small rates) are told apart by their dashes and the names at their ends.`;
  if (x === "time") caption += " Only GD (t = the sum of its learning rates) and gradient flow have a time t; the others are left out.";
  $("time-caption").textContent = caption;
  $("test-error-plot").setAttribute("aria-label", `${info.label} against ${x === "time" ? "time t" : "step"}, one line per run`);
  requestRender();
}

// ---------------------------------------------------------------------------------------------
// The trajectories' PCA. One call of the core's trajectory_pca() costs a lot (a full eigen-
// decomposition of the K×K Gram matrix of K snapshots, K up to 128 per run: from tens of
// milliseconds to seconds), and it blocks the page while it runs. So it is computed on a timer,
// only while the plot is on screen, never per frame, and by its predicted cost:
//   cheap (≤ PCA_LIVE_MS):        while playing, at most every max(1 s, 10 × cost);
//   dearer (≤ PCA_AUTO_MS):       once playing stops (pause, run length reached, step);
//   dearer still:                 only when asked, with the "update" button.
// With workers, the runs' snapshots are gathered from them and the PCA is computed in a worker of
// its own (WorkerPool.pca): the page never waits for it, so it is computed at any cost, while
// playing at most every max(1 s, 10 × cost).

const PCA_LIVE_MS = 120;
const PCA_AUTO_MS = 2500;
/** Snapshots per run the core keeps: one per step up to 128, then thinned (between 64 and 128). */
const PCA_FULL_SNAPSHOTS = 128;
const PCA_THINNED_SNAPSHOTS = 96;

function markPcaDirty() {
  app.pca.dirty = true;
  schedulePca();
}

/** About how many snapshots the next call will use. */
function pcaSnapshots() {
  let k = 0;
  for (const r of app.runs) {
    const step = r.metrics?.step ?? 0;
    k += step < PCA_FULL_SNAPSHOTS ? step + 1 : PCA_THINNED_SNAPSHOTS;
  }
  return Math.max(k, 1);
}

/** The next call's cost, predicted: the eigen-decomposition of the K×K Gram matrix grows as K³. */
function pcaPredictedMs() {
  const p = app.pca;
  const k = pcaSnapshots();
  return Math.max(p.cost, p.rate * k ** 3);
}

function schedulePca() {
  const p = app.pca;
  if (p.timer !== null || p.running || !p.dirty || !p.visible || !app.lab) return;
  const playing = app.player?.playing;
  const predicted = pcaPredictedMs();
  // With workers it is computed in one of them: it never holds up the page, so it never waits.
  if (!app.pool && ((playing && predicted > PCA_LIVE_MS) || predicted > PCA_AUTO_MS)) {
    updatePcaStatus();
    return; // when playing stops (onPlayingChange), or on demand
  }
  const now = performance.now();
  const interval = Math.max(1000, 10 * p.cost);
  const wait = playing ? Math.max(0, p.at + interval - now) : 200;
  p.timer = setTimeout(() => {
    p.timer = null;
    computePca();
  }, wait);
}

/** With workers: their runs' snapshots, gathered, then the joint PCA on the page's thread. */
async function computePcaFromWorkers() {
  const p = app.pca;
  const pool = app.pool;
  const gen = pool.gen;
  // One computation at a time (an older one ending last would show an older projection); a
  // change meanwhile marks it dirty again, and it is scheduled again when this one ends.
  p.dirty = false; // a reply from now on marks it again
  p.running = pcaFromWorkers(pool, gen);
  try {
    await p.running;
  } finally {
    p.running = null;
    schedulePca();
    updatePcaStatus();
  }
}

async function pcaFromWorkers(pool, gen) {
  const runs = WorkerPool.byRun(await pool.call("snapshots"));
  if (app.pool !== pool || pool.gen !== gen || runs.length !== app.runs.length) {
    app.pca.dirty = true; // the experiment changed meanwhile: again later
    return;
  }
  const counts = runs.map((r) => r.steps.length);
  const steps = new Float64Array(counts.reduce((a, c) => a + c, 0));
  const data = new Float64Array(runs.reduce((a, r) => a + r.data.length, 0));
  let s0 = 0;
  let d0 = 0;
  for (const r of runs) {
    steps.set(r.steps, s0);
    data.set(r.data, d0);
    s0 += r.steps.length;
    d0 += r.data.length;
  }
  // The last snapshot of every run is its newest step: the step the PCA shows.
  const shown = Math.max(0, ...runs.map((r) => (r.steps.length ? r.steps[r.steps.length - 1] : 0)));
  const t0 = performance.now();
  let result = null;
  try {
    result = await pool.pca(Float64Array.from(counts), steps, data);
  } catch (err) {
    console.warn("mc-playground: trajectory_pca failed:", err);
  }
  if (app.pool !== pool || pool.gen !== gen) return;
  finishPca(result, performance.now() - t0, shown);
}

function computePca(force = false) {
  const p = app.pca;
  if (!app.lab || (!p.dirty && !force) || p.running) return;
  if (app.pool) {
    computePcaFromWorkers();
    return;
  }
  p.dirty = false;
  const t0 = performance.now();
  let result = null;
  try {
    result = app.lab.trajectory_pca();
  } catch (err) {
    console.warn("mc-playground: trajectory_pca failed:", err);
  }
  finishPca(result, performance.now() - t0, Number($("step-counter").dataset.step));
}

/** Keeps and draws a PCA that took `cost` ms and shows the runs up to `step`. */
function finishPca(result, cost, step) {
  const p = app.pca;
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
  if (!views.pca) return;
  const runs = app.runs.map((r) => ({
    colour: r.colour, alpha: r.enabled ? 1 : 0.25, dash: r.dash, marker: r.marker, enabled: r.enabled,
    diverged: !!r.metrics && r.metrics.diverged_at !== null,
  }));
  // At step 0 every run is at its start: no path yet, and a PCA of one point is rounding noise.
  views.pca.draw(app.pca.result && app.pca.step > 0 ? app.pca.result : null, runs,
    app.pca.result ? "no paths yet: every run is at its start (press Play or Step)" : "computing…");
  const canvas = $("pca-plot");
  canvas.dataset.step = String(app.pca.result ? app.pca.step : -1);
  canvas.dataset.explained = app.pca.result ? app.pca.result.explained.join(",") : "";
}

function seconds(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 10) * 10} ms`;
}

function updatePcaStatus() {
  const p = app.pca;
  const predicted = pcaPredictedMs();
  const playing = app.player?.playing;
  let text = "";
  let button = false;
  let stale = false;
  if (p.result) {
    text = `Shown: step ${p.step}.`;
    const current = Number($("step-counter").dataset.step);
    // Out of date: say so, never show an old projection as if it were the current one.
    stale = (p.dirty || p.running !== null || p.timer !== null) && current !== p.step;
    if (stale && !app.pool && predicted > PCA_AUTO_MS) {
      text += ` An update would take about ${seconds(predicted)} and freeze the page meanwhile.`;
      button = true;
    } else if (stale && !app.pool && playing && predicted > PCA_LIVE_MS) {
      text += ` One update takes about ${seconds(predicted)}, so it waits until playing stops.`;
      button = true;
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

function watchPcaVisibility() {
  $("pca-update").addEventListener("click", () => computePca(true));
  if (typeof IntersectionObserver === "undefined") return;
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      app.pca.visible = e.isIntersecting;
      if (e.isIntersecting) schedulePca();
    }
  });
  io.observe($("pca-plot"));
}

// ---------------------------------------------------------------------------------------------
// The learning-rate sweep (www/sweep.js runs it in workers)

/** What makes two sweeps comparable: everything but the learning rates, the run length and on/off. */
function sweepKey(config) {
  const c = structuredClone(config);
  delete c.steps;
  for (const o of c.optimizers || []) delete o.learning_rate;
  return JSON.stringify(c);
}

function updateSweepLength() {
  const opt = $("sens-length").querySelector('option[value="full"]');
  opt.textContent = `as the race (${app.steps} steps)`;
}

function sweepProtocolFromControls() {
  const quick = $("sens-length").value === "quick";
  return parseProtocol({
    from: $("sens-from").value,
    to: $("sens-to").value,
    perDecade: $("sens-per-decade").value,
    steps: quick ? QUICK_STEPS : app.steps,
  });
}

function setSweepState(state) {
  $("sensitivity").dataset.state = state;
  const running = state === "running";
  $("sens-run").disabled = running;
  $("sens-cancel").disabled = !running;
  $("sens-run").textContent = state === "idle" ? "Run the sweep" : "Run the sweep again";
  $("race-tuned").disabled = !app.sweepResult || running || app.sweepUntested;
}

function showSweepError(message) {
  const box = $("sens-error");
  box.textContent = message;
  box.hidden = !message;
}

function startSweep() {
  showSweepError("");
  let p;
  try {
    p = sweepProtocolFromControls();
  } catch (err) {
    showSweepError(`Not started: ${err.message}.`);
    return;
  }
  const config = currentConfig();
  const methods = sweptMethods(config);
  if (!methods.length) {
    showSweepError("Not started: none of the methods has a learning rate to sweep.");
    return;
  }
  // Check the grid with the core itself (cheap: the constructor runs nothing).
  try {
    const probe = new app.SensitivityRunner(JSON.stringify(config), p.from, p.to, p.perDecade, p.steps);
    probe.free();
  } catch (err) {
    showSweepError(`Not started: ${messageOf(err)}.`);
    return;
  }
  app.sweepCells = [];
  app.sweepResult = null;
  ({ slots: app.sweepSlots, enabled: app.sweepEnabled } = keptRuns());
  app.sweepProtocol = p;
  app.sweepMethods = methods;
  app.sweepUntested = app.testCount === 0;
  $("sens-best").hidden = true;
  $("sens-note").hidden = true;
  $("sens-stale").hidden = true;
  $("sens-protocol").textContent = protocolText(p, methods.length, null);
  app.sweep.start(config, p);
  setSweepState("running");
  drawSweep();
}

function cancelSweep() {
  if (!app.sweep.cancel()) return;
  const total = gridSize(app.sweepProtocol.from, app.sweepProtocol.to, app.sweepProtocol.perDecade) * app.sweepMethods.length;
  $("sens-status").textContent = `cancelled after ${app.sweepCells.length} of ${total} runs`;
  setSweepState("cancelled");
}

function protocolText(p, methods, seconds) {
  const g = gridSize(p.from, p.to, p.perDecade);
  const rates = g === 1 ? `the rate ${formatPow10(p.from)}` : `${g} rates from ${formatPow10(p.from)} to ${formatPow10(p.to)} (${p.perDecade} per decade)`;
  let text = `Protocol: each of the ${methods} method${methods === 1 ? "" : "s"} with a learning rate runs alone, ` +
    `from the race's start, for ${p.steps} steps at each of ${rates}. ` +
    "Score: its final test error (a run that diverges scores ∞). Best rate: the lowest score.";
  if (seconds !== null) text += ` ${methods * g} runs in ${seconds.toFixed(0)} s.`;
  return text;
}

function sweepStyle(i) {
  const slot = app.sweepSlots[i] ?? i;
  return { colour: runColour(slot), dash: runDash(slot), marker: runMarker(slot) };
}

function drawSweep() {
  if (!views.sens) return;
  let p = app.sweepProtocol;
  if (!p) {
    try {
      p = sweepProtocolFromControls();
    } catch {
      p = { from: -4, to: 3 };
    }
  }
  const untested = app.sweepUntested && app.sweepCells.length ? "no test error to plot: every known entry is seen" : undefined;
  views.sens.draw(app.sweepCells, app.sweepResult?.best || [], sweepStyle, { from: p.from, to: p.to }, untested);
}

function onSweepDone(report) {
  app.sweepResult = report;
  $("sens-status").textContent = `done: ${report.cells.length} runs in ${report.seconds.toFixed(0)} s`;
  $("sens-protocol").textContent = protocolText(app.sweepProtocol, app.sweepMethods.length, report.seconds);
  // No unseen entries: no test error at any rate, so no best rate (not "diverged everywhere").
  const note = $("sens-note");
  note.textContent = app.sweepUntested ? "Every known entry is seen, so there are no unseen entries to test on: the sweep cannot rank the rates." : "";
  note.hidden = !app.sweepUntested;
  if (!app.sweepUntested) fillBestTable(report);
  setSweepState("done");
  updateSweepStale();
  drawSweep();
}

function fillBestTable(report) {
  const tbody = $("sens-best").querySelector("tbody");
  tbody.replaceChildren();
  for (const b of report.best) {
    const tr = document.createElement("tr");
    tr.dataset.run = b.name;
    tr.dataset.bestRate = String(b.learning_rate);
    const style = sweepStyle(b.optimizer);
    const name = document.createElement("td");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.setProperty("--run-colour", style.colour);
    sw.setAttribute("aria-hidden", "true");
    name.append(sw, ` ${b.label}`);
    const rate = document.createElement("td");
    const err = document.createElement("td");
    if (Number.isFinite(b.test_error)) {
      rate.textContent = formatNumber(b.learning_rate);
      err.textContent = formatFigure(b.test_error);
    } else {
      rate.textContent = "–";
      err.textContent = "diverged everywhere";
    }
    const found = report.cells.filter((c) => c.optimizer === b.optimizer && c.diverged_at === null && c.test_error < RECOVERED);
    const win = document.createElement("td");
    if (!found.length) win.textContent = "no rate";
    else {
      const lo = Math.min(...found.map((c) => c.learning_rate));
      const hi = Math.max(...found.map((c) => c.learning_rate));
      win.textContent = lo === hi ? formatNumber(lo) : `${formatNumber(lo)} to ${formatNumber(hi)}`;
    }
    tr.append(name, rate, err, win);
    tbody.append(tr);
  }
  $("sens-best").hidden = false;
}

function updateSweepStale() {
  const note = $("sens-stale");
  const r = app.sweepResult;
  if (!r || !app.config) {
    note.hidden = true;
    return;
  }
  const stale = sweepKey(r.config) !== sweepKey(currentConfig());
  note.hidden = !stale;
  note.textContent = stale
    ? "The sweep was run on another experiment (the problem, model, loss or methods have changed since). “Race at tuned rates” goes back to that experiment."
    : "";
  $("sensitivity").dataset.stale = String(stale);
}

function raceTuned() {
  const r = app.sweepResult;
  if (!r) return;
  const config = structuredClone(r.tunedConfig);
  const sameRuns = r.config.optimizers.map((o) => o.name).join() === app.runs.map((x) => x.name).join();
  const p = app.sweepProtocol;
  // The runs keep their colours and on/off (as when the sweep started, if they have changed since).
  const ok = rebuild(config, {
    ...(sameRuns ? keptRuns() : { slots: app.sweepSlots, enabled: app.sweepEnabled }),
    race: { kind: "tuned", from: p.from, to: p.to, perDecade: p.perDecade, steps: p.steps },
  });
  if (ok) {
    $("race").scrollIntoView({ block: "start", behavior: "smooth" });
  }
}

function wireSweep() {
  let queued = false;
  app.sweep = new Sweep({
    onProgress: (done, total) => {
      const bar = $("sens-progress");
      bar.value = total ? done / total : 0;
      bar.dataset.done = String(done);
      bar.dataset.total = String(total);
      if (app.sweep.running) $("sens-status").textContent = `${done} of ${total} runs · ${app.sweep.elapsed().toFixed(0)} s`;
    },
    onCell: (cell) => {
      app.sweepCells.push(cell);
      if (!queued) {
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          drawSweep();
        });
      }
    },
    onDone: onSweepDone,
    onError: (message) => {
      showSweepError(`The sweep stopped: ${message}.`);
      $("sens-status").textContent = "stopped by an error";
      setSweepState("error");
    },
  });
  updateSweepLength();
  setSweepState("idle");
  $("sens-run").addEventListener("click", startSweep);
  for (const id of ["sens-from", "sens-to"]) $(id).addEventListener("change", () => app.sweepProtocol || drawSweep());
  $("sens-cancel").addEventListener("click", cancelSweep);
  $("race-tuned").addEventListener("click", raceTuned);
  $("race-equal").addEventListener("click", raceEqual);
  $("race-equal-top").addEventListener("click", raceEqual);
  drawSweep();
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
  $("held-play").addEventListener("click", () => {
    app.player.play();
    $("play").focus({ preventScroll: true }); // the note goes away with its button
  });
  $("new-problem").addEventListener("click", newProblem);
  $("export-png").addEventListener("click", exportPng);
  $("export-csv").addEventListener("click", exportCsv);
  $("export-json").addEventListener("click", exportJson);
  $("copy-link").addEventListener("click", copyLink);
  $("reset").addEventListener("click", () => {
    app.player.pause();
    dropSteps();
    if (app.pool) app.pool.reset(app.startFrames.slice());
    else app.lab.reset();
    app.autoStop = true;
    app.pca.result = null;
    app.pca.cost = 0;
    markPcaDirty();
    drawPca();
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
  $("methods-default").addEventListener("click", () => {
    const config = currentConfig();
    config.optimizers = structuredClone(app.defaults.optimizers);
    rebuild(config, { changedId: "method-picker" });
  });
  $("show-observed").addEventListener("change", () => {
    setDotsVisible($("show-observed").checked);
    updateHash();
  });
  $("time-metric").addEventListener("change", () => {
    app.plot.metric = $("time-metric").value;
    app.plot.log = METRICS[app.plot.metric]?.log ?? true;
    $("time-log").checked = app.plot.log;
    updateTimePlotAxes();
    updateHash();
  });
  $("time-x").addEventListener("change", () => {
    app.plot.x = $("time-x").value;
    updateTimePlotAxes();
    updateHash();
  });
  $("time-log").addEventListener("change", () => {
    app.plot.log = $("time-log").checked;
    updateTimePlotAxes();
    updateHash();
  });
  updateTimePlotAxes();
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
    } else if (e.key === "r" || e.key === "R") {
      e.preventDefault();
      $("reset").click();
    } else if (e.key === "n" || e.key === "N") {
      e.preventDefault();
      newProblem();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Export

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
      step: () => (app.pca.result ? app.pca.step : null) },
    // The sweep's runs are its own, of its own length (not in a frame: no sweep there).
    ...(EMBED.embed ? [] : [{ id: "sens-plot", label: "learning-rate sweep", title: "Final test error against learning rate", canvas: () => $("sens-plot"), step: () => null }]),
    { id: "truth-heatmap", label: "W* heatmap", title: "W*, the hidden matrix", canvas: () => views.truthHeatmap.canvas,
      heatmap: () => views.truthHeatmap, bar: () => views.truthBar },
  ];
  app.runs.forEach((r, i) => list.push({ id: `run-${i}`, label: `${r.label} heatmap`, title: `${r.label}'s current W`, canvas: () => r.heatmap.canvas,
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

/**
 * Brings the PCA up to the runs' step before it is exported: it is computed only while on
 * screen, so a plot scrolled out of view would be saved as of an early step (a new user saved
 * "step 2" at step 3000). Without workers, only when it would not freeze the page for long.
 */
async function pcaUpToDate() {
  const p = app.pca;
  if (p.result && !p.dirty && !p.running) return;
  if (p.timer !== null) {
    clearTimeout(p.timer);
    p.timer = null;
  }
  if (app.pool) {
    while (p.running) await p.running.catch(() => {}); // the one under way first (one at a time)
    p.dirty = true;
    await computePcaFromWorkers();
  } else if (pcaPredictedMs() <= PCA_AUTO_MS) computePca(true);
}

async function exportPng() {
  const v = exportViews().find((x) => x.id === $("export-view").value) ?? exportViews()[0];
  if (v.id === "pca-plot") await pcaUpToDate();
  let p = {};
  try {
    p = JSON.parse(app.lab.config_json()).problem ?? {}; // every field, defaults filled
  } catch {
    p = app.config.problem ?? {};
  }
  const problem = isOwnData() ? `your ${app.rows} × ${app.cols} matrix`
    : `${app.rows} × ${app.cols}, rank ${p.rank}, ${p.observed} seen, seed ${p.seed}`;
  const step = v.step ? v.step() : $("step-counter").dataset.step;
  const title = `${v.title} · ${problem}${step === null ? "" : ` · step ${step}`} · mc-playground`;
  const legend = v.shared ? app.runs.filter((r) => r.enabled).map((r) => ({ label: r.label, colour: r.colour, dash: r.dash })) : [];
  // A heatmap keeps its hatching, its observed-entry dots (when shown) and its colour bar.
  const hm = v.heatmap?.();
  const extras = hm ? { overlays: hm.visibleOverlays(), footer: (w, ratio) => v.bar().image(w, ratio) } : {};
  downloadCanvasPng(v.canvas(), `mc-playground-${v.id}.png`, title, legend, extras);
}

/**
 * Every run's current state with every history (copies): {metrics, sv, W, len, h}, run order.
 * With workers it asks them (they answer after any batch on its way, before any later change),
 * else it reads the page's lab. `count`: the number of runs when asked.
 */
async function currentStates(count) {
  if (app.pool) {
    const pool = app.pool;
    const runs = WorkerPool.byRun(await pool.call("export", { names: HISTORY_METRICS }));
    if (runs.length !== count) throw new Error("a worker was restarted meanwhile; try again");
    return runs.map((r) => ({ ...r, metrics: normaliseMetrics(r.metrics) }));
  }
  return readFrames(app.lab, HISTORY_METRICS, true);
}

/**
 * What an export says about the experiment, taken when it is asked for: the workers answer about
 * that experiment, so a change made before their answer is in must not leak into the file.
 */
function exportSnapshot() {
  return {
    url: location.href,
    config: currentConfig(),
    rows: app.rows,
    cols: app.cols,
    truth: app.truth,
    mask: app.mask,
    runs: app.runs.map((r) => ({ name: r.name, label: r.label, enabled: r.enabled, lr: r.lr })),
  };
}

async function exportCsv() {
  const snap = exportSnapshot();
  try {
    const states = await currentStates(snap.runs.length);
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
    states = await currentStates(snap.runs.length);
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

// Run i's data as last stepped (workers: their latest reply; else the page's lab).

/** Run i's W, m × n row-major (a view to read at once), or null. */
function runMatrix(i) {
  if (app.pool) {
    const W = (app.pool.frames[i] ?? app.startFrames[i])?.W;
    return W && W.length ? W : null;
  }
  const ptr = app.lab.matrix_ptr(i);
  return ptr ? new Float64Array(app.wasm.memory.buffer, ptr, app.rows * app.cols) : null;
}

/** Run i's drawn histories (step, train_error, effective_rank, …): {len, h}, views to read at once. */
function runHistory(i) {
  if (app.pool) return app.pool.frames[i] ?? app.startFrames[i] ?? null;
  return readFrames(app.lab, ["step", "train_error", "effective_rank"], false)[i] ?? null;
}

/** Run i's figures, normalised (see normaliseMetrics). */
function runMetrics(i) {
  if (app.pool) return normaliseMetrics((app.pool.frames[i] ?? app.startFrames[i])?.metrics);
  return normaliseMetrics(app.lab.metrics(i));
}

/** Run i's W as CSV (the core's round-trip-exact numbers). */
async function matrixCsv(i) {
  if (app.pool) {
    const [csv] = await app.pool.call("matrix_csv", { i });
    return csv ?? "";
  }
  return app.lab.matrix_csv(i);
}

// For the tests: the steps of the page's own lab's runs (0 while the workers step them).
window.__mcpPageLabSteps = () => app.runs.map((_, i) => normaliseMetrics(app.lab.metrics(i)).step);

/** A new problem: the same settings with a new random seed (a reset property). */
function newProblem() {
  const config = currentConfig();
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  config.problem.seed = seed;
  rebuild(config, { changedId: "seed", ...keptRuns(), race: app.race });
}

/** What a link lacks when the problem is your own data (it is never put in the URL). */
const NOT_YOUR_DATA = "it opens the default experiment, not your data (Export → JSON saves your data)";

async function copyLink() {
  writeHash();
  const url = location.href;
  const status = $("copy-status");
  const own = isOwnData();
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
  b.title = isOwnData() ? `Copy a link to this page: ${NOT_YOUR_DATA}` : b.dataset.title;
  $("copy-status").textContent = "";
}

function stepOnce() {
  stepBy(1);
}

/**
 * Pauses and takes k steps of every live, enabled run; resolves once they are drawn. They go in
 * short batches (with workers: after those sent while playing, so that the pause shows at once;
 * on the page's thread: a frame's budget each), and those not taken yet are dropped by dropSteps()
 * (a new experiment, a reset, Play: docs/embed.md).
 */
function stepBy(k) {
  app.player.pause();
  const ask = app.stepAsk;
  const current = () => app.stepAsk === ask && !app.player.playing;
  if (app.pool) {
    const pool = app.pool;
    return pool.idle().then(() => (app.pool === pool && current() ? pool.step(k, historyNames()) : null)).then(render);
  }
  return stepOnPage(k, current);
}

/** Drops the steps asked for by stepBy and not taken yet. */
function dropSteps() {
  app.stepAsk += 1;
  app.pool?.cancelSteps();
}

/** stepBy on the page's thread: batches of a frame's budget, the page free to answer between them. */
async function stepOnPage(k, current) {
  const lab = app.lab;
  for (let left = k; left > 0 && current() && app.lab === lab;) {
    const n = Math.min(left, pageBatch());
    const t0 = performance.now();
    try {
      lab.step(n);
    } catch (err) {
      if (!isTrap(err)) throw err;
      return recoverFromTrap(err); // as while playing: a fresh core, the experiment from its start
    }
    measureSteps(t0, n);
    left -= n;
    markPcaDirty();
    render();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

boot();
