// Which race is showing: equal learning rates, rates set by hand, or each method at its best
// rate from the sweep (the tuned race); the badge and caption above the panels, and the way back
// to equal rates.

import { formatNumber, formatPow10 } from "../views/axes.js";
import { equalRaceSentence, listNames, sweepWindowSentence } from "../captions.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { rebuild } from "./experiment.js";
import { onFrameEvery } from "./loop.js";
import { equalRate } from "./runs.js";
import { hasSweepResult, sweepLines } from "./sweep.js";

const $ = (id) => document.getElementById(id);

/** The rate of the equal race (the default experiment's). */
export const EQUAL_RATE = 0.01;

export function initRace() {
  $("race-equal").addEventListener("click", raceEqual);
  $("race-equal-top").addEventListener("click", raceEqual);
  store.subscribe((kind) => {
    if (kind === "reset" || kind === "hot") updateRaceBadge();
  });
  // The caption says what the runs on screen show: it follows the frames, at most every
  // CAPTION_MS, and always ends on the last one.
  onFrameEvery(CAPTION_MS, updateRaceBadge);
}

const CAPTION_MS = 500;

/** The runs that are on and have a learning rate, with the numbers their panels last drew. */
function drawnRuns() {
  return ui.runs.filter((run) => store.enabled[run.index] && store.rates[run.index] !== undefined).map((run) => {
    const m = run.metrics || {};
    return { label: run.label, lr: store.rates[run.index], test: m.test_error, stepNorm: m.step_norm, diverged: m.diverged_at, step: m.step ?? 0 };
  });
}

/**
 * The tuned race's sentence about the method tuned furthest from the equal race's rate (two
 * decades or more), from the sweep on screen; "" without one.
 */
function tunedWindowText(lrRuns) {
  const sweep = sweepLines();
  if (!sweep || sweep.stale) return "";
  const far = lrRuns.filter((x) => x.on && Math.abs(Math.log10(x.lr / EQUAL_RATE)) >= 2)
    .sort((a, b) => Math.abs(Math.log10(b.lr / EQUAL_RATE)) - Math.abs(Math.log10(a.lr / EQUAL_RATE)))[0];
  const line = far && sweep.lines.find((l) => l.name === far.name && l.best > 0 && Math.abs(Math.log10(l.best / far.lr)) < 1e-9);
  return line ? ` ${sweepWindowSentence({ ...line, label: far.label, steps: sweep.steps }, EQUAL_RATE)}` : "";
}

function protocolPhrase(p) {
  const rates = `${formatPow10(p.from)} to ${formatPow10(p.to)}, ${p.perDecade} per decade`;
  return `rates ${rates}, ${p.steps} steps each, lowest final test error`;
}

export function updateRaceBadge() {
  const badge = $("race-badge");
  const caption = $("race-caption");
  // Each run with a learning rate: its label and rate (store.runs, store.rates).
  const runs = store.runs.map((x, i) => ({ name: x.name, label: x.label, lr: store.rates[i], on: store.enabled[i] }));
  const lrRuns = runs.filter((x) => x.lr !== undefined);
  let kind;
  let badgeText;
  let text;
  const r = equalRate();
  const rates = lrRuns.map((x) => `${x.label} ${formatNumber(x.lr)}`).join(", ");
  if (store.race?.kind === "tuned") {
    kind = "tuned";
    badgeText = "tuned: each method at its best rate";
    text = `${hasSweepResult() ? "From the sweep below" : "From a learning-rate sweep"} (${protocolPhrase(store.race)}): ${rates}.`;
    text += tunedWindowText(lrRuns);
    // Tuned in runs of another length than this race's: a rate best then may not be best now.
    if (store.race.steps && store.race.steps !== store.steps) {
      text += ` The sweep ran ${store.race.steps} steps a run and this race runs ${store.steps}: a rate that was best at ${store.race.steps} steps may not be at ${store.steps}.`;
    }
  } else if (!lrRuns.length) {
    kind = "none";
    badgeText = "no learning rates";
    text = "None of these methods has a learning rate to tune.";
  } else if (r !== null) {
    kind = "equal";
    badgeText = lrRuns.length === 1 ? `learning rate ${formatNumber(r)}` : `equal learning rates ${formatNumber(r)}`;
    // On the default experiment (six methods, the default problem, every run on) the caption says
    // who found W* and who hardly moves, from the panels' numbers at the step shown (and why a
    // small gradient makes a small step); otherwise a plain description of the rates.
    const isDefault = store.isDefaultExperiment(store.currentConfig(), store.enabled);
    const drawn = drawnRuns();
    const step = Math.max(0, ...drawn.map((x) => x.step));
    text = isDefault && r === EQUAL_RATE
      ? "Every method with a learning rate uses 0.01. " +
        (equalRaceSentence(drawn, { step }) || "Who finds W* at this rate shows here as the runs step.") +
        " A step that is the rate times the gradient is as small as the gradient, so the race says more about the rate " +
        "than about the methods: see the sweep below for a fair race."
      : equalRaceText(lrRuns, runs.filter((x) => x.lr === undefined), r);
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

/** "Adam and GD both use rate 0.01; Newton has none." */
function equalRaceText(withLr, without, rate) {
  const list = (runs) => listNames(runs.map((x) => x.label));
  const uses = withLr.length === 1 ? "uses" : withLr.length === 2 ? "both use" : "all use";
  const none = without.length ? `; ${list(without)} ${without.length === 1 ? "has" : "have"} none` : "";
  return `${list(withLr)} ${uses} rate ${formatNumber(rate)}${none}.`;
}

function raceEqual() {
  const config = store.currentConfig();
  for (const o of config.optimizers) if (o.learning_rate !== undefined) o.learning_rate = EQUAL_RATE;
  rebuild(config, store.keptRuns());
}
