// The learning-rate sweep (engine/sweep.js runs it in workers): its protocol from the controls,
// progress, the plot of final test error against rate, each method's best rate, whether it is
// about the running experiment, and the race at the tuned rates.

import { Sweep, gridSize, parseProtocol, sweptMethods } from "../engine/sweep.js";
import { RECOVERED, SensitivityPlot } from "../views/sensitivity.js";
import { formatFigure, formatNumber, formatPow10 } from "../views/axes.js";
import { runColour, runDash, runMarker } from "../colormap.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { messageOf, rebuild } from "./experiment.js";

const $ = (id) => document.getElementById(id);

/** Run length of a quick sweep. */
const QUICK_STEPS = 300;

const sw = {
  sweep: null,
  cells: [],
  result: null,
  slots: [],
  enabled: [], // each run's on/off when the sweep started
  untested: false, // the sweep's problem has no unseen entries: no test error to rank rates by
  protocol: null,
  methods: null,
};

/** Whether a sweep has finished (its best rates can be raced). */
export function hasSweepResult() {
  return !!sw.result;
}

/**
 * The finished sweep's lines as its plot and table show them, for sentences about it:
 * {steps, stale, lines: [{name, label, best, points: [{lr, test, diverged}]}]}, or null (no
 * sweep, or no test error to rank rates by). `stale`: run on another experiment than the page's.
 */
export function sweepLines() {
  const r = sw.result;
  if (!r || sw.untested) return null;
  const lines = r.best.map((b) => ({
    name: b.name,
    label: b.label,
    best: Number.isFinite(b.test_error) ? b.learning_rate : null,
    points: r.cells.filter((c) => c.optimizer === b.optimizer)
      .map((c) => ({ lr: c.learning_rate, test: c.test_error, diverged: c.diverged_at }))
      .sort((a, b2) => a.lr - b2.lr),
  }));
  const stale = !store.config || sweepKey(r.config) !== sweepKey(store.currentConfig());
  return { steps: sw.protocol?.steps, stale, lines };
}

export function initSweep() {
  ui.views.sens = new SensitivityPlot($("sens-plot"));
  ui.views.sens.plot.view.onResize = drawSweep;
  wireSweep();
  store.subscribe((kind, change) => {
    if (kind === "reset") {
      updateSweepLength();
      updateSweepStale();
    }
    else if (kind === "hot" && change.steps !== undefined) updateSweepLength();
  });
}

/** What makes two sweeps comparable: everything but the learning rates, the run length and on/off. */
function sweepKey(config) {
  const c = structuredClone(config);
  delete c.steps;
  for (const o of c.optimizers || []) delete o.learning_rate;
  return JSON.stringify(c);
}

function updateSweepLength() {
  const opt = $("sens-length").querySelector('option[value="full"]');
  opt.textContent = `as the race (${store.steps} steps)`;
}

function sweepProtocolFromControls() {
  const quick = $("sens-length").value === "quick";
  return parseProtocol({
    from: $("sens-from").value,
    to: $("sens-to").value,
    perDecade: $("sens-per-decade").value,
    steps: quick ? QUICK_STEPS : store.steps,
  });
}

function setSweepState(state) {
  $("sensitivity").dataset.state = state;
  const running = state === "running";
  $("sens-run").disabled = running;
  $("sens-cancel").disabled = !running;
  $("sens-run").textContent = state === "idle" ? "Run the sweep" : "Run the sweep again";
  $("race-tuned").disabled = !sw.result || running || sw.untested;
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
  const config = store.currentConfig();
  const methods = sweptMethods(config);
  if (!methods.length) {
    showSweepError("Not started: none of the methods has a learning rate to sweep.");
    return;
  }
  // Check the grid with the core itself (cheap: the constructor runs nothing).
  try {
    const probe = new store.core.SensitivityRunner(JSON.stringify(config), p.from, p.to, p.perDecade, p.steps);
    probe.free();
  } catch (err) {
    showSweepError(`Not started: ${messageOf(err)}.`);
    return;
  }
  sw.cells = [];
  sw.result = null;
  ({ slots: sw.slots, enabled: sw.enabled } = store.keptRuns());
  sw.protocol = p;
  sw.methods = methods;
  sw.untested = store.testCount === 0;
  $("sens-best").hidden = true;
  $("sens-note").hidden = true;
  $("sens-stale").hidden = true;
  $("sens-protocol").textContent = protocolText(p, methods.length, null);
  sw.sweep.start(config, p);
  setSweepState("running");
  drawSweep();
}

function cancelSweep() {
  if (!sw.sweep.cancel()) return;
  const total = gridSize(sw.protocol.from, sw.protocol.to, sw.protocol.perDecade) * sw.methods.length;
  $("sens-status").textContent = `cancelled after ${sw.cells.length} of ${total} runs`;
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
  const slot = sw.slots[i] ?? i;
  return { colour: runColour(slot), dash: runDash(slot), marker: runMarker(slot) };
}

function drawSweep() {
  if (!ui.views.sens) return;
  let p = sw.protocol;
  if (!p) {
    try {
      p = sweepProtocolFromControls();
    } catch {
      p = { from: -4, to: 3 };
    }
  }
  const untested = sw.untested && sw.cells.length ? "no test error to plot: every known entry is seen" : undefined;
  ui.views.sens.draw(sw.cells, sw.result?.best || [], sweepStyle, { from: p.from, to: p.to }, untested);
}

function onSweepDone(report) {
  sw.result = report;
  $("sens-status").textContent = `done: ${report.cells.length} runs in ${report.seconds.toFixed(0)} s`;
  $("sens-protocol").textContent = protocolText(sw.protocol, sw.methods.length, report.seconds);
  // No unseen entries: no test error at any rate, so no best rate (not "diverged everywhere").
  const note = $("sens-note");
  note.textContent = sw.untested ? "Every known entry is seen, so there are no unseen entries to test on: the sweep cannot rank the rates." : "";
  note.hidden = !sw.untested;
  if (!sw.untested) fillBestTable(report);
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
  const r = sw.result;
  if (!r || !store.config) {
    note.hidden = true;
    return;
  }
  const stale = sweepKey(r.config) !== sweepKey(store.currentConfig());
  note.hidden = !stale;
  note.textContent = stale
    ? "The sweep was run on another experiment (the problem, model, loss or methods have changed since). “Race at tuned rates” goes back to that experiment."
    : "";
  $("sensitivity").dataset.stale = String(stale);
}

function raceTuned() {
  const r = sw.result;
  if (!r) return;
  const config = structuredClone(r.tunedConfig);
  const sameRuns = r.config.optimizers.map((o) => o.name).join() === store.runs.map((x) => x.name).join();
  const p = sw.protocol;
  // The runs keep their colours and on/off (as when the sweep started, if they have changed since).
  const ok = rebuild(config, {
    ...(sameRuns ? store.keptRuns() : { slots: sw.slots, enabled: sw.enabled }),
    race: { kind: "tuned", from: p.from, to: p.to, perDecade: p.perDecade, steps: p.steps },
  });
  if (ok) {
    $("race").scrollIntoView({ block: "start", behavior: "smooth" });
  }
}

function wireSweep() {
  let queued = false;
  sw.sweep = new Sweep({
    onProgress: (done, total) => {
      const bar = $("sens-progress");
      bar.value = total ? done / total : 0;
      bar.dataset.done = String(done);
      bar.dataset.total = String(total);
      if (sw.sweep.running) $("sens-status").textContent = `${done} of ${total} runs · ${sw.sweep.elapsed().toFixed(0)} s`;
    },
    onCell: (cell) => {
      sw.cells.push(cell);
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
  for (const id of ["sens-from", "sens-to"]) $(id).addEventListener("change", () => sw.protocol || drawSweep());
  $("sens-cancel").addEventListener("click", cancelSweep);
  $("race-tuned").addEventListener("click", raceTuned);
  drawSweep();
}
