// The experiment's schema, with no DOM, wasm or globals: the controls that change the problem,
// the keys of the link, the view options, the metric names and how the page reads numbers.
//
// Properties (TensorFlow Playground's state.ts style): every field of the config is in the hash,
// enums by name, the seed included; view options too (they never step, reset or reseed).
//   reset: size, rank, observed, noise, seed, depth, start, start scale, penalty, λ, scale c,
//          the methods and their hyper-parameters (β₁, β₂, eps, …): a change builds a new Lab.
//   hot:   learning rates and on/off (set_learning_rate, set_enabled), the run length ("steps").
//   view:  the time plot's metric, axis and scale, the dots on seen entries.

/**
 * The metric series the core keeps for every run, in its storage order (src/metrics.rs,
 * HISTORY_SERIES; the core's `Lab.metric_names()`): the page's one declaration of them.
 */
export const METRIC_NAMES = ["step", "objective", "train_error", "test_error", "effective_rank", "ratio",
  "nuclear_norm", "frobenius_norm", "subspace_angle_truth", "subspace_angle_start", "time", "gradient_evaluations", "step_norm",
  "step_stable_rank"];

/** Every history metric the core keeps (docs/wasm-api.md, history_ptr): all of them. */
export const HISTORY_METRICS = METRIC_NAMES;

/** The figures the shared time plot can show: label, log scale by default, caption (every metric but step and time). */
export const METRICS = {
  test_error: { label: "test error", log: true, caption: "Error on the entries nobody sees. Lower is better; 1 is where they start (from the seen entries)." },
  train_error: { label: "train error", log: true, caption: "Distance from the seen values. The start from the seen entries fits them exactly (0)." },
  objective: { label: "objective f", log: true, caption: "The loss being minimised, c · (fit + λ · penalty)." },
  effective_rank: { label: "effective rank", log: false, caption: "Roughly how many singular values matter; W* has about its rank." },
  ratio: { label: "ratio ‖W‖*/‖W‖F", log: false, caption: "The ratio penalty: nuclear over Frobenius norm; small when a few singular values dominate." },
  subspace_angle_truth: { label: "angle to W*", log: true, caption: "Sine of the largest angle between W's and W*'s main column spaces: 0 when W points where W* does." },
  subspace_angle_start: { label: "angle to start", log: true, caption: "How far W has turned away from the start: near 0, a run still points where it began (it has not left the start's column space)." },
  nuclear_norm: { label: "nuclear norm", log: false, caption: "‖W‖*: the sum of the singular values." },
  frobenius_norm: { label: "Frobenius norm", log: false, caption: "‖W‖F: the root of the sum of squared entries." },
  step_norm: { label: "step length ‖ΔW‖F", log: true, caption: "How far the last step moved W. A step proportional to the gradient is as small as the gradient; a normalised one is not." },
  step_stable_rank: { label: "step's stable rank", log: false, caption: "‖ΔW‖F² / ‖ΔW‖₂²: 1 when the last step is one direction (rank one), up to min(m, n) when all its singular values are equal (a flat spectrum)." },
};

/** A run's figures as the core reports them (a Map or an object), with every metric named. */
export function normaliseMetrics(m) {
  if (m instanceof Map) m = Object.fromEntries(m);
  m = m || {};
  const out = {};
  for (const name of METRIC_NAMES) {
    if (name === "step") out.step = Number(m.step ?? 0);
    else if (name === "time") out.time = m.time ?? null;
    else out[name] = m[name];
  }
  out.diverged_at = m.diverged_at ?? null;
  out.diverged_reason = m.diverged_reason ?? null;
  out.blowing_up_at = m.blowing_up_at ?? null;
  return out;
}

/**
 * The controls that change the experiment (each change builds a new Lab): element id → where
 * the value goes in the config, and its type. The name is what error messages call it.
 */
export const PROBLEM_FIELDS = [
  { id: "seed", path: ["problem", "seed"], type: "int", name: "seed", min: 0, max: Number.MAX_SAFE_INTEGER, maxText: "2⁵³ − 1" },
  { id: "rows", path: ["problem", "rows"], type: "int", name: "rows" },
  { id: "cols", path: ["problem", "cols"], type: "int", name: "columns" },
  { id: "rank", path: ["problem", "rank"], type: "int", name: "rank" },
  { id: "observed", path: ["problem", "observed"], type: "int", name: "observed entries" },
  { id: "noise", path: ["problem", "noise"], type: "float", name: "noise σ", min: 0 },
  { id: "depth", path: ["model", "depth"], type: "int", name: "depth" },
  { id: "init", path: ["model", "init"], type: "enum", name: "start" },
  { id: "init-scale", path: ["model", "init_scale"], type: "float", name: "start scale" },
  { id: "penalty", path: ["objective", "penalty"], type: "enum", name: "penalty" },
  { id: "lambda", path: ["objective", "lambda"], type: "float", name: "λ" },
  { id: "scale", path: ["objective", "scale"], type: "float", name: "scale c" },
];

/** The config's fields in the hash: key → path. */
export const HASH_KEYS = { seed: ["problem", "seed"], rows: ["problem", "rows"], cols: ["problem", "cols"],
  rank: ["problem", "rank"], observed: ["problem", "observed"], noise: ["problem", "noise"],
  depth: ["model", "depth"], width: ["model", "width"], init: ["model", "init"], iscale: ["model", "init_scale"],
  penalty: ["objective", "penalty"], lambda: ["objective", "lambda"], scale: ["objective", "scale"],
  steps: ["steps"] };

/**
 * Per-run hyper-parameters in the hash: hash key → optimizer field. A list by run, config order;
 * an empty item means the method's default (or a method without that field).
 */
export const HYPER_KEYS = { eps: "eps", beta1: "beta1", beta2: "beta2", wd: "weight_decay", bc: "bias_correction",
  alpha: "alpha", mom: "momentum", mdecay: "momentum_decay", damping: "damping", maxcg: "max_cg",
  rtol: "rtol", atol: "atol", k: "rank", ridge: "ridge", tau: "threshold" };

/**
 * Every per-run hyper-parameter key of the hash for the catalog's `methods` (their default
 * configs): HYPER_KEYS, then each other field of a method under its own name ("ns_steps"), or
 * "opt_" and its name where the name is taken by another key (spectral descent's "scale" is
 * "opt_scale": "scale" is the loss's). key → optimizer field.
 */
export function hyperKeys(methods = []) {
  const keys = { ...HYPER_KEYS };
  const fields = new Set(Object.values(HYPER_KEYS));
  const taken = new Set([...Object.keys(HASH_KEYS), ...Object.keys(HYPER_KEYS), ...Object.keys(VIEW_KEYS), ...OTHER_KEYS]);
  for (const m of methods) {
    for (const field of Object.keys(m ?? {})) {
      if (field === "name" || field === "learning_rate" || fields.has(field)) continue;
      fields.add(field);
      keys[taken.has(field) ? `opt_${field}` : field] = field;
    }
  }
  return keys;
}

/**
 * The time plot's x axes: the history each reads (`step`, or the metric of that name), its words
 * and scale, what the caption adds, and what the plot says when no run has it.
 */
export const X_AXES = {
  step: { label: "step", axis: "step", log: false, about: "", empty: "" },
  time: {
    label: "time t", axis: "time t (log): GD's Σ learning rates, gradient flow's ODE time", log: true,
    about: " Only GD (t = the sum of its learning rates) and gradient flow have a time t; the others are left out.",
    empty: "no run has a time t: add GD or gradient flow",
  },
  gradient_evaluations: {
    label: "gradient evaluations", axis: "gradients of f computed (log)", log: true,
    about: " The work each run has done: one gradient a step for a first-order method, two per Hessian–vector product for Newton, one per stage for gradient flow. ALS and SoftImpute compute none and are left out.",
    empty: "no run computes gradients",
  },
};

/** View options in the hash: they never step, reset or reseed. key → {default, values?}. */
export const VIEW_KEYS = {
  view: { default: "test_error", values: Object.keys(METRICS) },
  x: { default: "step", values: Object.keys(X_AXES) },
  ylog: { default: "1", values: ["0", "1"] },
  dots: { default: "1", values: ["0", "1"] },
};

/** Keys the page reads besides the config's own (the rest are reported as ignored). */
export const OTHER_KEYS = ["m", "lr", "off", "tuned"];

/** The value at `path` in `obj` (undefined if any step is missing). */
export function getPath(obj, path) {
  return path.reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

/** Sets the value at `path` in `obj`, making the objects on the way. */
export function setPath(obj, path, value) {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[path[path.length - 1]] = value;
}

/**
 * A decimal number's value (as the core reads JSON numbers: `1`, `-2.5`, `.5`, `1e-3`), NaN for
 * anything else — JavaScript's Number() would also take "0x10", "0b1", "Infinity" and "".
 */
export function decimalNumber(text) {
  const t = String(text).trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/** Parses one control's text; throws Error("rows: …") for text that is not a number of its type. */
export function parseField(field, text) {
  const t = String(text).trim();
  if (field.type === "enum") return t;
  const v = decimalNumber(t);
  if (t === "" || !Number.isFinite(v)) throw new Error(`${field.name}: enter a number`);
  if (field.type === "int" && !Number.isInteger(v)) throw new Error(`${field.name}: enter a whole number`);
  if (field.min !== undefined && v < field.min) throw new Error(`${field.name}: enter a number of at least ${field.min}`);
  if (field.max !== undefined && v > field.max) {
    throw new Error(`${field.name}: enter a number from ${field.min ?? 0} to ${field.maxText ?? field.max}`);
  }
  return v;
}

/**
 * The Lab's error messages start with the config path of the field ("problem.rank: must be …").
 * Returns {fieldId, runIndex, text}: the id of the control it is about (or null), the run it is
 * about (optimizers[i]…, or null), and the message with the path replaced by the control's
 * name, e.g. "rank: must be between 1 and …". `labels` names the runs (optional); `catalog`
 * (catalog.js) names the hyper-parameters and knows the methods.
 */
export function explainLabError(message, labels = [], catalog = null) {
  const msg = String(message);
  const m = /^\s*([A-Za-z_]+(?:\.[A-Za-z_]+|\[\d+\])*)\s*:\s*(.*)$/s.exec(msg);
  if (!m) return { fieldId: null, runIndex: null, text: msg };
  const path = m[1];
  const field = PROBLEM_FIELDS.find((f) => f.path.join(".") === path);
  if (field) return { fieldId: field.id, runIndex: null, text: `${field.name}: ${m[2]}` };
  const run = /^optimizers\[(\d+)\](?:\.([A-Za-z_]+))?$/.exec(path);
  if (run) {
    const i = Number(run[1]);
    const who = labels[i] || `method ${i + 1}`;
    const what = run[2] && run[2] !== "name" ? ` ${catalog?.hyperLabel(run[2]) ?? run[2].replace(/_/g, " ")}` : "";
    // "newton runs on …" about run "Newton" reads "Newton runs on …".
    const first = /^([A-Za-z_]+)\s/.exec(m[2]);
    // (The core starts such a message with the run's own method name.)
    if (!what && first && labels[i] && catalog?.has(first[1])) {
      return { fieldId: null, runIndex: i, text: `${labels[i]}${m[2].slice(first[1].length)}` };
    }
    return { fieldId: null, runIndex: i, text: `${who}${what}: ${m[2]}` };
  }
  if (path === "optimizers") return { fieldId: null, runIndex: null, text: `methods: ${m[2]}` };
  return { fieldId: null, runIndex: null, text: msg };
}
