// The loop: playing, pausing and stepping (the Player owns the animation frame; the stepper
// takes the steps), drawing each frame from the stepper into the panels and the shared plots,
// the play status, the keyboard, and a fresh core after a trap.

import { Player } from "../engine/player.js";
import { createStepper } from "../engine/stepper.js";
import { loadCore } from "../engine/core.js";
import { LinePlot } from "../views/lineplot.js";
import { TrajectoryPlot } from "../views/trajectory.js";
import { X_AXES, normaliseMetrics } from "../schema.js";
import { store, stepperEnv } from "../store.js";
import { ui } from "./ui.js";

const $ = (id) => document.getElementById(id);

const loop = {
  player: null,
  stepsPerFrame: 20, // the #steps-per-frame control's value, read at boot
  autoStop: true, // cleared once the run length is reached, so that play continues past it
  playingSince: 0, // performance.now() when play last started
  past: false, // play went on past the run length: it stops at PAST_LIMIT times the run length
  stepAsk: 0, // bumped by dropSteps(): the steps asked for before (stepBy) and not taken yet are dropped
  heldNoteTimer: 0, // hides the note said when a change waits at step 0 out of the Play button's view
  renderQueued: false,
  firstFrameMarked: false,
  showHeldNote: true, // the page has its controls (not an embed with controls=0)
  endRates: null, // the learning rates when the race last ended ("Restart with these rates" once one differs)
};

/**
 * Who else follows the loop: after every frame ("frame"), on new steps ("stepped"), when playing
 * starts or stops ("playing"), when the step counter moves ("counter"), after a reset ("rewound").
 * "frame" followers get the frame drawn (stepper.frames: each run's metrics and histories).
 */
const hooks = { frame: [], stepped: [], playing: [], counter: [], rewound: [] };

export function onLoop(event, fn) {
  hooks[event].push(fn);
}

/** Calls `fn` after the frames, at most every `ms` and after the last one; returns a call at once. */
export function onFrameEvery(ms, fn) {
  let last = 0;
  let timer = null;
  const now = () => {
    clearTimeout(timer);
    timer = null;
    last = performance.now();
    fn();
  };
  onLoop("frame", () => (last + ms <= performance.now() ? now() : (timer ??= setTimeout(now, last + ms - performance.now()))));
  return now;
}

/** A preset's reference runs (controllers/reference.js): grey and dotted, beside the race's colours. */
export const REFERENCE_STYLE = { colour: "#6b6b6b", alpha: 1, dash: [2, 3], marker: "square" };

/** Play past the run length stops at this many times the run length (said in the status). */
export const PAST_LIMIT = 2;

/** The step the runs stop at: the run length, or PAST_LIMIT times it once play went on past it. */
const runEnd = () => (loop.past ? PAST_LIMIT : 1) * store.steps;

const emit = (event, ...args) => hooks[event].forEach((fn) => fn(...args));

export function isPlaying() {
  return !!loop.player?.playing;
}

/** The run length's automatic stop is armed again (a new run length, a reset). */
export function rearm() {
  loop.autoStop = true;
  loop.past = false;
}

/**
 * Starts the loop: the stepper (over workers unless `useWorkers` is false), the player, the time
 * and trajectory plots (their options and captions: time-plot.js), the playback controls and the keys. `withControls`: the page shows them.
 */
export function initLoop({ useWorkers, withControls }) {
  loop.showHeldNote = withControls;
  loop.player = new Player(tick, onPlayingChange);
  store.stepper = createStepper(stepperEnv(), {
    names: historyNames,
    limit: stepLimit,
    playing: isPlaying,
    render,
    requestRender,
    stepped: () => emit("stepped"),
    onTrap: recoverFromTrap,
    onRunsRestarted: (runs, message) => {
      rearm();
      render();
      const labels = runs.map((i) => ui.runs[i]?.label).filter(Boolean).join(", ");
      showCoreError(`The core stopped with an internal error (${message}); its runs (${labels}) were rebuilt from their start. Please report this with the link.`);
    },
    onError: showCoreError,
    onFallback: (err, midway) => {
      showStepper();
      if (midway) {
        rearm();
        showCoreError(`The runs now step on the page's own thread, from their start: ${err?.message ?? String(err)}.`);
      }
      requestRender();
    },
  }, useWorkers);
  showStepper();
  ui.views.time = new LinePlot($("test-error-plot"), { xLabel: "step", yLabel: "test error (log)" });
  ui.views.trajectory = new TrajectoryPlot($("trajectory-plot"));
  // A resize clears a canvas: redraw the last picture at once (the first resize comes before the
  // first paint), and the current one at the next frame.
  for (const plot of [ui.views.time, ui.views.trajectory.plot]) {
    const redraw = plot.view.onResize;
    plot.view.onResize = () => {
      redraw();
      requestRender();
    };
  }
  store.subscribe((kind, change) => {
    if (kind === "reset") {
      loop.stepAsk += 1; // a request for steps was about the experiment this one replaces
      rearm();
      showStepper();
    } else if (kind === "hot") {
      if (change.steps !== undefined) rearm();
      requestRender();
    }
  });
  wirePlayback();
  // For the tests: the steps of the page's own lab's runs (0 while the workers step them), and a trap.
  window.__mcpPageLabSteps = () => store.runs.map((_, i) => normaliseMetrics(store.lab.metrics(i)).step);
  window.__mcpSimulateTrap = () => store.stepper.simulateTrap();
}

/** Read-only facts for tests and curious readers: how many workers step the runs (0: none). */
function showStepper() {
  document.body.dataset.workers = String(store.stepper.size);
}

export function showCoreError(text) {
  const box = $("load-error");
  box.textContent = text;
  box.hidden = false;
}

/** Run i's figures to decide on steps (the stepper's latest). */
function latest(run) {
  return store.stepper.latest(run.index, run.metrics);
}

/** Steps still to go before every live, enabled run reaches the run length (0 if none). */
export function remainingSteps() {
  let rem = 0;
  for (const run of ui.runs) {
    const m = latest(run);
    if (!store.enabled[run.index] || !m || m.diverged_at !== null) continue;
    rem = Math.max(rem, runEnd() - m.step);
  }
  return rem;
}

export function hasLiveEnabledRun() {
  return ui.runs.some((r) => {
    const m = latest(r);
    return store.enabled[r.index] && m && m.diverged_at === null;
  });
}

/** Most steps run i may still take this play: 0 if it is off or diverged. */
function stepLimit(i) {
  const run = ui.runs[i];
  const m = run && latest(run);
  if (!run || !store.enabled[i] || !m || m.diverged_at !== null) return 0;
  return loop.autoStop ? Math.max(0, runEnd() - m.step) : Infinity;
}

function tick() {
  return store.stepper.tick({
    stepsPerFrame: loop.stepsPerFrame,
    get autoStop() { return loop.autoStop; },
    set autoStop(v) { loop.autoStop = v; },
    remaining: remainingSteps,
    hasLive: hasLiveEnabledRun,
  });
}

/**
 * After a trap the module's memory cannot be trusted: load a fresh instance of the module,
 * rebuild the same experiment from the last config, say so, and keep playing. Nothing is reloaded.
 */
async function recoverFromTrap(err) {
  loop.player?.stop(); // not the reader's pause: the rebuilt experiment plays if this one did
  const box = $("load-error");
  const config = JSON.stringify(store.config ?? store.defaults);
  try {
    store.core = await loadCore(true);
    store.lab = null; // the old instance is gone; do not call into it again
    store.apply("reset", { lab: new store.core.Lab(config) });
    box.textContent = `The core stopped with an internal error (${err?.message ?? String(err)}); the experiment was rebuilt from its start. Please report this with the link.`;
    box.hidden = false;
    if (loop.player) playUnlessHeld();
  } catch (again) {
    box.textContent = `The core stopped with an internal error and could not be restarted (${again instanceof Error ? again.message : String(again)}). Reload the page.`;
    box.hidden = false;
  }
}

function onPlayingChange(playing) {
  if (playing) loop.playingSince = performance.now();
  if (playing) $("held-note").hidden = true;
  if (playing) dropSteps(); // playing takes over from a request for steps
  // With workers, "paused" shows once the batches already sent are in and drawn (a batch cannot
  // be called back; a reply may also have come after the last frame): from then on the figures
  // stay as they are. Until then the button says so at once (a batch of big runs can take a
  // second or more); it is pressed again (Play) until the pause has taken effect.
  if (!playing) {
    let later = false;
    const now = store.stepper.afterBatches(() => {
      if (loop.player.playing) return;
      if (later) render();
      showPlaying(false);
    });
    later = true;
    if (!now) $("play").textContent = "Pausing…";
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
  emit("playing", playing);
}

export function updatePlayStatus() {
  let text = "";
  const runs = ui.runs;
  if (loop.player && loop.player.playing) {
    // Not in the first second of playing: the first frames (the page still loading) are slow.
    if (store.stepper.throttled && performance.now() - loop.playingSince > 1000) {
      text = store.stepper.blocksPage ? "fewer steps per frame to keep the page smooth"
        : "fewer steps per frame than asked: the steps take longer than a frame";
    }
  } else if (loop.player?.resting && loop.player.wake) {
    text = "resting while out of sight: it goes on when shown";
  } else if (runs.length && store.enabled.every((on) => !on)) {
    text = "every run is off: tick “on” in a run's panel to step it";
  } else if (runs.length && !hasLiveEnabledRun() && runs.some((r) => r.metrics)) {
    text = "every run that is on has diverged: lower the learning rates if they are too high, then reset";
  } else if (loop.past && runs.some((r) => r.metrics && r.metrics.step >= PAST_LIMIT * store.steps)) {
    text = `stopped at step ${PAST_LIMIT * store.steps}, ${PAST_LIMIT === 2 ? "twice" : `${PAST_LIMIT} times`} the run length: the limit of play past it`;
  } else if (!loop.past && runs.some((r) => r.metrics && r.metrics.step >= store.steps)) {
    text = `stopped at step ${store.steps}; press Play to go on (up to step ${PAST_LIMIT * store.steps})`;
  } else if (runs.length && runs.every((r) => !r.metrics || r.metrics.step === 0)) {
    text = "paused at step 0: press Play to start";
  } else text = "paused";
  const s = $("play-status");
  if (s.textContent !== text) s.textContent = text;
  // A race that ended: a rate changed since applies from step 0 with this button (else Play goes
  // on past the end). Offered only once a rate differs from those the race ended with.
  const ended = /^stopped at step/.test(text);
  const rates = ended ? store.rates.join(",") : null;
  if (!ended || loop.endRates === null) loop.endRates = rates;
  const offer = ended && rates !== loop.endRates;
  if ($("restart-rates").hidden === offer) $("restart-rates").hidden = !offer;
  // A new experiment waiting for Play says so where the reader looks (not in small grey type).
  s.classList.toggle("waiting", text.startsWith("paused at step 0"));
}

/** After a new experiment: play, unless the reader has paused (player.held: it waits at step 0). */
export function playUnlessHeld() {
  if (!loop.player.held) {
    loop.player.play();
    return;
  }
  updatePlayStatus();
  // The Play button out of view (the change was made further down): say so where the reader is.
  const r = $("play").getBoundingClientRect();
  if (loop.showHeldNote && (r.bottom <= 0 || r.top >= innerHeight || r.width === 0)) {
    const note = $("held-note");
    note.hidden = false;
    clearTimeout(loop.heldNoteTimer);
    loop.heldNoteTimer = setTimeout(() => { note.hidden = true; }, 8000);
  }
}

/** Starts playing, or (held: prefers-reduced-motion, autoplay=0) waits at step 0 as after a pause. */
export function start(held) {
  if (held) {
    loop.player.pause();
    updatePlayStatus();
  } else loop.player.play();
}

/**
 * Plays. After the run length was reached it goes on past it, up to PAST_LIMIT times the run
 * length; at that limit it stays stopped (the status says so).
 */
export function play() {
  if (!loop.player.playing && remainingSteps() <= 0 && hasLiveEnabledRun()) {
    if (loop.past) {
      loop.player.held = false;
      updatePlayStatus();
      return;
    }
    loop.past = true;
    loop.autoStop = true;
  }
  loop.player.play();
}

/** The race again from step 0, playing, at the rates now set ("Restart with these rates"; a frame's "Replay"). */
export function restartWithRates() {
  resetRuns();
  play();
}

export function pause() {
  loop.player.pause();
}

/** Unseen (`on`: off screen, a hidden tab) the runs rest; shown again they go on if they played. */
export function rest(on) {
  loop.player.rest(on);
  document.body.dataset.resting = String(on);
  updatePlayStatus();
}

export function requestRender() {
  if (loop.renderQueued || !store.lab) return;
  if (loop.player && loop.player.playing) return; // the next frame draws anyway
  loop.renderQueued = true;
  requestAnimationFrame(() => {
    loop.renderQueued = false;
    if (store.lab) render();
  });
}

/** The histories a frame draws: those of the time plot and the trajectory plot. */
export function historyNames() {
  const wanted = ["step", "train_error", "effective_rank", store.view.view];
  if (store.view.x !== "step") wanted.push(store.view.x);
  return [...new Set(wanted)];
}

/** Reads everything the frame draws (from the stepper), then draws it. */
export function render() {
  const n = ui.runs.length;
  const metric = store.view.view;
  const xKind = store.view.x;
  const frame = store.stepper.frames(historyNames());
  let maxStep = 0;
  for (let i = 0; i < n; i++) {
    const run = ui.runs[i];
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
    emit("counter", maxStep);
  }

  const timeSeries = [];
  const trajRuns = [];
  let withX = 0; // runs that have the x axis's clock (all of them for "step")
  const clock = xKind !== "step";
  // One run's lines in both plots: the race's runs, and a preset's reference runs (ui.reference, controllers/reference.js).
  const add = (f, style, label) => {
    const has = !clock || (f.metrics[xKind] !== null && f.metrics[xKind] !== undefined);
    if (has) withX++;
    const s = { ...style, diverged: f.metrics.diverged_at !== null, label };
    timeSeries.push({ ...s, x: clock ? f.h[xKind] : f.h.step, y: f.h[metric], len: has ? f.len : 0, endDot: true });
    trajRuns.push({ ...s, rank: f.h.effective_rank, train: f.h.train_error, len: f.len });
  };
  for (const f of ui.reference) add(f, REFERENCE_STYLE, f.label);
  for (let i = 0; i < n; i++) {
    const run = ui.runs[i];
    const on = store.enabled[i];
    add(frame[i], { colour: run.colour, alpha: on ? 1 : 0.25, dash: run.dash, marker: run.marker }, on ? run.label : "");
  }
  // The reference runs first, then the switched-off runs, then the others, each on top of the ones before.
  const refs = ui.reference.length;
  const order = (arr) => arr.slice(0, refs).concat(arr.slice(refs).filter((_, i) => !store.enabled[i]), arr.slice(refs).filter((_, i) => store.enabled[i]));
  const xMax = Math.max(store.steps, maxStep, 1);
  ui.views.time.draw(order(timeSeries), {
    xMin: clock ? undefined : 0,
    xMax: clock ? undefined : xMax,
    empty: clock && !withX ? (X_AXES[xKind]?.empty ?? "") : "",
  });
  ui.views.trajectory.draw(order(trajRuns));
  if (!loop.firstFrameMarked && n) {
    loop.firstFrameMarked = true;
    performance.mark("mcp-first-frame"); // the heatmaps are drawn (scripts/bench_browser.mjs reads it)
  }
  updatePlayStatus();
  emit("frame", frame);
}

export function stepOnce() {
  stepBy(1);
}

/**
 * Pauses and takes k steps of every live, enabled run; resolves once they are drawn. They go in
 * short batches (with workers: after those sent while playing, so that the pause shows at once;
 * on the page's thread: a frame's budget each), and those not taken yet are dropped by dropSteps()
 * (a new experiment, a reset, Play: docs/embed.md).
 */
export function stepBy(k) {
  loop.player.pause();
  const ask = loop.stepAsk;
  return store.stepper.stepBy(k, () => loop.stepAsk === ask && !loop.player.playing);
}

/** Drops the steps asked for by stepBy and not taken yet. */
export function dropSteps() {
  loop.stepAsk += 1;
  store.stepper.cancelSteps();
}

/** Paused: once the batches on their way are in. Playing: now (waiting would hold every later message forever). */
export function settled() {
  return loop.player.playing ? Promise.resolve() : store.stepper.idle();
}

/**
 * Reset: the same experiment from its step 0, stopped. It does not hold the page (only the
 * reader's Pause does): a later preset or New problem plays.
 */
export function resetRuns() {
  loop.player.stop();
  dropSteps();
  store.stepper.reset();
  rearm();
  emit("rewound");
  render();
}

/** A field that takes typed text (where Space is a character): text-like inputs, textarea, select, contenteditable. */
function inTextField(t) {
  if (!t || !t.closest) return false;
  if (t.closest("textarea, select, [contenteditable]:not([contenteditable=false])")) return true;
  const input = t.closest("input");
  return !!input && !["checkbox", "radio", "range", "button", "submit", "reset", "color", "file", "image"].includes(input.type);
}

function wirePlayback() {
  $("play").addEventListener("click", () => {
    if (loop.player.playing) loop.player.pause();
    else play();
  });
  $("step-once").addEventListener("click", stepOnce);
  $("held-play").addEventListener("click", () => {
    loop.player.play();
    $("play").focus({ preventScroll: true }); // the note goes away with its button
  });
  $("reset").addEventListener("click", resetRuns);
  $("restart-rates").addEventListener("click", restartWithRates);
  const spf = $("steps-per-frame");
  loop.stepsPerFrame = Number(spf.value);
  spf.addEventListener("change", () => {
    loop.stepsPerFrame = Math.max(1, Number(spf.value) || 1);
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    // Space plays and pauses everywhere but in a text field (a focused button is not pressed again).
    if (e.key === " ") {
      if (inTextField(t) || e.defaultPrevented) return;
      e.preventDefault();
      $("play").click();
      return;
    }
    if (t && t.closest && t.closest("input, select, textarea, button, summary, [contenteditable]")) return;
    if (e.key === ".") {
      e.preventDefault();
      stepOnce();
    } else if (e.key === "r" || e.key === "R") {
      e.preventDefault();
      $("reset").click();
    } else if (e.key === "n" || e.key === "N") {
      e.preventDefault();
      $("new-problem").click();
    }
  });
}
