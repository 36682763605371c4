// The store: the one owner of the experiment's state. It holds the config (with the current
// learning rates and the run length), which runs are on, the race and the view options, and the
// running lab's facts read once per problem. Every change is applied through `apply(kind, change)`:
//   "view"   view options ({view, x, ylog, dots}): never step, reset or reseed;
//   "hot"    applied to the running lab: {run, lr, from} a learning rate, {run, enabled} on/off,
//            {steps} the run length, {race} which race shows;
//   "reset"  a new lab ({lab, slots?, enabled?, race?, steps?}, built with `build(config)`).
// Subscribers (`subscribe(fn)`, called as fn(kind, change) in the order they subscribed) redraw
// what depends on it; the link is then written (url.js, the only code that touches the hash).

import { configFromHash, configToHash, goToHash, hereLink, pageLink, readHash, writeHash } from "./url.js";
import { checkConfig, seedError, stepsError } from "./limits.js";
import { distinctLabels } from "./catalog.js";
import { assignSlots } from "./colormap.js";
import { HISTORY_METRICS, VIEW_KEYS } from "./schema.js";
import { readFrames } from "./engine/core.js";

const listeners = [];
const link = { seen: "", timer: 0, follow: null }; // the hash as the page last read or wrote it

export const store = {
  core: null, // the loaded core: {wasm, Lab, SensitivityRunner}
  catalog: null, // the methods (catalog.js over Lab.methods())
  defaults: null, // Lab.default_config(), parsed
  stepper: null, // what steps the runs (engine/stepper.js)

  // The experiment.
  config: null, // the running lab's config, parsed (current learning rates)
  steps: 3000, // the run length: playing stops when every live, enabled run reaches it
  rates: [], // each run's learning rate (undefined: it has none)
  enabled: [], // each run's on/off
  slots: [], // each run's colour slot
  race: null, // {kind: "tuned", from, to, perDecade, steps} while the tuned race is showing
  view: Object.fromEntries(Object.entries(VIEW_KEYS).map(([k, i]) => [k, i.default])),

  // The running lab and its problem, read once per lab (copies: W*, Y and Ω are fixed).
  lab: null,
  rows: 0,
  cols: 0,
  rank: 0,
  observed: 0,
  truth: null,
  observations: null,
  mask: null,
  known: null,
  unknownCount: 0,
  testCount: 0, // the unseen entries the test error is on
  scale: 1,
  truthSv: null,
  runs: [], // each run's {index, name, label, lr, opt}, config order

  subscribe(fn) {
    listeners.push(fn);
  },

  /** Applies a change (see the top of this file); throws if the running lab refuses it. */
  apply(kind, change) {
    if (kind === "view") Object.assign(this.view, change);
    else if (kind === "hot") applyHot(this, change);
    else if (kind === "reset") install(this, change);
    else throw new Error(`unknown change ${kind}`);
    for (const fn of listeners) fn(kind, change);
    this.writeLinkSoon();
  },

  /** A new lab from a whole config, after the page's own limits; throws with the reason. */
  build(config) {
    const why = checkConfig(config);
    if (why) throw Object.assign(new Error(why), { limits: true });
    return new this.core.Lab(JSON.stringify(config));
  },

  /** The running config with the current learning rates and run length (a copy). */
  currentConfig() {
    const config = structuredClone(this.config);
    config.steps = this.steps;
    this.rates.forEach((lr, i) => {
      if (lr !== undefined && config.optimizers?.[i]) config.optimizers[i].learning_rate = lr;
    });
    return config;
  },

  /** Whether `config`'s problem is your own matrix (a CSV or a picture: `problem.truth`), not a random one. */
  isOwnData(config = this.config) {
    return !!config?.problem?.truth;
  },

  /** The runs' colour slots and on/off, for a new lab with the same runs: {slots, enabled}. */
  keptRuns() {
    return { slots: this.slots.slice(), enabled: this.enabled.slice() };
  },

  /** An experiment as its link, view options aside (what tells two experiments apart). */
  experimentKey(config, enabled) {
    return configToHash(config, enabled, null, { methods: this.catalog.configs });
  },

  /** Whether `config` with runs on/off as `enabled` is the default experiment, at any run length (your data never is). */
  isDefaultExperiment(config, enabled) {
    const shown = { ...config, steps: this.defaults.steps };
    return !this.isOwnData(config) && configToHash(shown, enabled, this.defaults, { methods: this.catalog.configs }) === "";
  },

  // ---- the link ----------------------------------------------------------------------------

  /** The address's hash now. */
  linkHash() {
    return readHash(location);
  },

  /** The whole address (the link to this experiment). */
  linkHref() {
    return hereLink(location);
  },

  /** The same experiment on the full page (from a frame). */
  fullPageLink() {
    return pageLink(location);
  },

  /**
   * Parses a hash and checks what the core does not (the seed's and the run length's ranges):
   * {config, off, tuned, view, ignored}.
   */
  parseLink(hash) {
    const parsed = configFromHash(hash, this.defaults, { methods: this.catalog.configs });
    const c = parsed.config;
    const badSeed = seedError(c.problem.seed);
    if (badSeed) {
      parsed.ignored.push(`seed=${c.problem.seed} (${badSeed.replace(/^seed: /, "")})`);
      c.problem.seed = this.defaults.problem.seed;
    }
    if (stepsError(c.steps)) {
      parsed.ignored.push(`steps=${c.steps} (a whole number from 1 to 10⁸)`);
      c.steps = this.defaults.steps;
    }
    return parsed;
  },

  /** Calls `fn(parsed)` whenever the address's hash changes (an edit, back/forward, a preset). */
  followLink(fn) {
    link.seen = readHash(location);
    link.follow = () => {
      if (!this.lab) return;
      link.seen = readHash(location);
      fn(this.parseLink(link.seen));
    };
    window.addEventListener("hashchange", link.follow);
  },

  /** Goes to the link `hash` (a preset): its hash change applies it; already there, it applies again. */
  goTo(hash) {
    if (readHash(location) === `#${hash}`) link.follow?.();
    else goToHash(location, hash);
  },

  /** Writes the experiment into the URL, at most a few times a second (sliders fire often). */
  writeLinkSoon() {
    clearTimeout(link.timer);
    link.timer = setTimeout(() => this.writeLink(), 250);
  },

  writeLink() {
    // A hash the page has not applied yet (Back, a preset, an edit: its hashchange is on its way)
    // is the experiment to come: never write the running one over it, nor show the running one's
    // preset (a preset just clicked showed the one before it until the next write).
    if (readHash(location) !== link.seen) return;
    for (const fn of listeners) fn("link", {});
    if (this.isOwnData()) {
      // Your own data is not put in the link (it stays in this browser).
      link.seen = writeHash(location, history, "");
      return;
    }
    const r = this.race;
    const tuned = r ? `${r.from},${r.to},${r.perDecade},${r.steps}` : null;
    // Every field is written (defaults = null), so that a link keeps meaning the same run even if
    // the core's defaults change; hyper-parameters at their method's default are left out.
    const hash = configToHash(this.currentConfig(), this.enabled, null, { methods: this.catalog.configs, tuned, view: this.view });
    link.seen = writeHash(location, history, hash);
  },
};

function applyHot(s, change) {
  if (change.lr !== undefined) {
    const i = change.run;
    s.lab.set_learning_rate(i, change.lr); // checks it (and keeps the config current)
    s.stepper.setLearningRate(i, change.lr);
    change.changed = change.lr !== s.rates[i];
    s.rates[i] = change.lr;
    if (s.config.optimizers?.[i]) s.config.optimizers[i].learning_rate = change.lr;
    if (change.changed) s.race = null;
  }
  if (change.enabled !== undefined) {
    s.enabled[change.run] = change.enabled;
    s.lab.set_enabled(change.run, change.enabled);
    s.stepper.setEnabled(change.run, change.enabled);
  }
  if (change.steps !== undefined) {
    s.steps = change.steps;
    s.config.steps = change.steps;
  }
  if (change.race !== undefined) s.race = change.race;
}

/**
 * Makes `lab` the running lab: reads the problem once, assigns the runs' colours and on/off,
 * hands the experiment to the stepper and frees the previous lab.
 */
function install(s, { lab, slots, enabled, race, steps }) {
  s.stepper.cancelSteps(); // a request for steps was about the experiment this one replaces
  const old = s.lab;
  s.lab = lab;
  if (race !== undefined) s.race = race;
  if (steps !== undefined) s.steps = steps;
  s.config = JSON.parse(lab.config_json());
  s.rows = lab.rows();
  s.cols = lab.cols();
  const cells = s.rows * s.cols;
  s.rank = lab.rank();
  s.observed = lab.observed_count();
  s.truthSv = Float64Array.from(lab.truth_singular_values());
  const runs = [];
  for (let i = 0, n = lab.run_count(); i < n; i++) {
    let opt;
    try {
      opt = JSON.parse(lab.run_optimizer_json(i));
    } catch {
      opt = s.config.optimizers?.[i] ?? {};
    }
    const lr = lab.run_learning_rate(i);
    runs.push({ index: i, name: lab.run_name(i), label: lab.run_label(i), lr: lr ?? undefined, opt });
  }
  // Runs with the same label (two Adams) are told apart by what differs: "Adam (eps 1e-12)".
  distinctLabels(runs, s.catalog).forEach((label, i) => { runs[i].label = label; });
  s.runs = runs;
  s.rates = runs.map((r) => r.lr);
  const truthPtr = lab.truth_ptr();
  const yPtr = lab.observations_ptr();
  const maskPtr = lab.observed_mask_ptr();
  const knownPtr = typeof lab.known_mask_ptr === "function" ? lab.known_mask_ptr() : 0;
  // Last wasm call above: views now, copied at once (W*, Y and Ω are fixed for the problem).
  const buf = s.core.wasm.memory.buffer;
  s.truth = new Float64Array(buf, truthPtr, cells).slice();
  s.observations = new Float64Array(buf, yPtr, cells).slice();
  s.mask = new Uint8Array(buf, maskPtr, cells).slice();
  s.known = knownPtr ? new Uint8Array(buf, knownPtr, cells).slice() : new Uint8Array(cells).fill(1);
  s.unknownCount = s.known.reduce((a, v) => a + (v ? 0 : 1), 0);
  s.testCount = s.known.reduce((a, v, k) => a + (v && !s.mask[k] ? 1 : 0), 0);
  let scale = 0;
  for (const v of s.truth) if (Math.abs(v) > scale) scale = Math.abs(v);
  s.scale = scale > 0 ? scale : 1;

  s.slots = assignSlots(runs.map((r) => r.name), slots && slots.length === runs.length ? slots : [], s.catalog.slot);
  s.enabled = runs.map((_, i) => !enabled || enabled[i] !== false);
  s.enabled.forEach((on, i) => { if (!on) lab.set_enabled(i, false); });

  if (old) old.free();
  const startFrames = readFrames(stepperEnv(s), lab, HISTORY_METRICS, true);
  s.stepper.install(lab, s.enabled.slice(), startFrames);
}


/** What the stepper reads of the store: the lab, wasm memory, the problem's size, the runs. */
export function stepperEnv(s = store) {
  return {
    lab: () => s.lab,
    memory: () => s.core.wasm.memory,
    cells: () => s.rows * s.cols,
    count: () => s.runs.length,
    enabled: () => s.enabled.slice(),
  };
}
