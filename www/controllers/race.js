// Which race is showing: equal learning rates, rates set by hand, or each method at its best
// rate from the sweep (the tuned race); the badge and caption above the panels, and the way back
// to equal rates.

import { formatNumber, formatPow10 } from "../views/axes.js";
import { listNames } from "../captions.js";
import { store } from "../store.js";
import { rebuild } from "./experiment.js";
import { equalRate } from "./runs.js";
import { hasSweepResult } from "./sweep.js";

const $ = (id) => document.getElementById(id);

/** The rate of the equal race (the default experiment's). */
export const EQUAL_RATE = 0.01;

export function initRace() {
  $("race-equal").addEventListener("click", raceEqual);
  $("race-equal-top").addEventListener("click", raceEqual);
  store.subscribe((kind) => {
    if (kind === "reset" || kind === "hot") updateRaceBadge();
  });
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
    // What GD does is only said for the problem it was checked on (the default one), with GD in
    // the race at the rate it was checked at (about 100).
    const defaultRuns = store.defaults.optimizers;
    const gd = lrRuns.find((x) => x.name === "gd" && x.on);
    if (gd && Math.abs(Math.log10(gd.lr / 100)) <= 0.5 &&
      store.isDefaultExperiment({ ...store.currentConfig(), optimizers: defaultRuns }, defaultRuns.map(() => true))) {
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
    const isDefault = store.isDefaultExperiment(store.currentConfig(), store.enabled);
    text = isDefault && r === EQUAL_RATE
      ? "Every method with a learning rate uses 0.01. Adam and RMSProp find W*; GD, momentum and Nesterov hardly move, " +
        "because their step is the rate times gradients of only a few 10⁻⁶ to 3·10⁻⁴ per entry, while Adam's step is about the rate itself. " +
        "That says more about the rate than about the methods: see the sweep below for a fair race."
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
