// Building experiment configs (the JSON that `new Lab(json)` takes) from the page's controls,
// and writing / reading the experiment in the URL's hash so that a link reproduces it.
//
// Properties (TensorFlow Playground's state.ts style): every field of the config is in the hash,
// enums by name, the seed included; view options too (they never step, reset or reseed).
//   reset: size, rank, observed, noise, seed, depth, start, start scale, penalty, λ, scale c,
//          the methods and their hyper-parameters (β₁, β₂, eps, …): a change builds a new Lab.
//          λ and the β's are part of the objective / optimizer state and the wasm API has no
//          hot setter for them, so they are reset properties, not hot ones.
//   hot:   learning rates and on/off (set_learning_rate, set_enabled), the run length ("steps").

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

/**
 * What the page says about each method, shown on hover (the core's `Lab.methods()` lists the
 * methods with their labels and defaults; a method missing here is described by its label).
 */
export const METHOD_INFO = {
  adam: { about: "Adam: each entry's step is set by running averages of its gradient and squared gradient, so its length is about the learning rate" },
  rmsprop: { about: "RMSProp: each entry's gradient divided by a running root-mean-square of it" },
  adagrad: { about: "AdaGrad: each entry's gradient divided by the root of the sum of all its past squares, so steps keep shrinking" },
  gd: { about: "Gradient descent: step = learning rate × gradient" },
  momentum: { about: "Heavy-ball momentum: gradient descent plus a running sum of past steps" },
  nesterov: { about: "Nesterov momentum: momentum with a look-ahead gradient" },
  adamw: { about: "AdamW: Adam with decoupled weight decay (0.01)" },
  amsgrad: { about: "AMSGrad: Adam whose second-moment estimate never decreases" },
  nadam: { about: "NAdam: Adam with Nesterov momentum" },
  group_rmsprop: { about: "Group RMSProp: one running size for the whole gradient, so GD's direction with an adaptive length" },
  newton: { about: "Damped Newton (Levenberg–Marquardt, conjugate gradients): no learning rate; depth 1 only" },
  gradient_flow: { about: "Gradient flow: the continuous path dW/dt = −∇f(W), followed by an adaptive ODE solver; no learning rate; shows its time t" },
  als: { about: "Alternating least squares on W = U Vᵀ of a fixed rank k (ignores the penalty): no learning rate; depth 1 only" },
  soft_impute: { about: "SoftImpute: fill the unseen entries with the current guess, then shrink every singular value by τ; no learning rate; depth 1 only" },
};

/** How hyper-parameters are called on the page. */
export const HYPER_NAMES = {
  beta1: "β₁", beta2: "β₂", eps: "eps", weight_decay: "weight decay", bias_correction: "bias correction",
  alpha: "α", momentum: "momentum", momentum_decay: "momentum decay", damping: "damping", max_cg: "CG steps ≤",
  rtol: "rtol", atol: "atol", rank: "rank k", ridge: "ridge", threshold: "threshold τ",
};

/** The core's label of each method ("adam" → "Adam"), from `Lab.methods()`: see setMethods. */
const METHOD_LABELS = new Map();

/**
 * Takes the parsed `Lab.methods()` ([{name, label, has_learning_rate, direct_only, config}]):
 * remembers every method's label and returns the methods' default configs, in its order.
 */
export function setMethods(methods) {
  for (const m of methods) METHOD_LABELS.set(m.name, m.label);
  return methods.map((m) => m.config);
}

/** The core's label of a method (its name until `setMethods` has run or for an unknown name). */
export function methodLabel(name) {
  return METHOD_LABELS.get(name) ?? name;
}

function get(obj, path) {
  return path.reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function set(obj, path, value) {
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

/** Puts a config's problem values into the controls. */
export function fillControls(config, doc = document) {
  for (const f of PROBLEM_FIELDS) {
    const el = doc.getElementById(f.id);
    const v = get(config, f.path);
    if (el && v !== undefined) el.value = String(v);
  }
}

/**
 * A new config: `base` (the running lab's config) with the controls' problem values and the
 * given learning rates. Throws Error naming the field if a control does not hold a number.
 * @param {object} base parsed config
 * @param {number[]} learningRates one per optimizer, config order
 * @returns {object} the new config (base is not modified)
 */
export function configFromControls(base, learningRates, doc = document) {
  const config = structuredClone(base);
  for (const f of PROBLEM_FIELDS) {
    const el = doc.getElementById(f.id);
    if (!el) continue;
    let v;
    try {
      v = parseField(f, el.value);
    } catch (e) {
      e.fieldId = f.id;
      throw e;
    }
    set(config, f.path, v);
  }
  (config.optimizers || []).forEach((opt, i) => {
    if (Number.isFinite(learningRates[i])) opt.learning_rate = learningRates[i];
  });
  return config;
}

/**
 * The Lab's error messages start with the config path of the field ("problem.rank: must be …").
 * Returns {fieldId, runIndex, text}: the id of the control it is about (or null), the run it is
 * about (optimizers[i]…, or null), and the message with the path replaced by the control's
 * name, e.g. "rank: must be between 1 and …". `labels` names the runs (optional).
 */
export function explainLabError(message, labels = []) {
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
    const what = run[2] && run[2] !== "name" ? ` ${HYPER_NAMES[run[2]] || run[2].replace(/_/g, " ")}` : "";
    // "newton runs on …" about run "Newton" reads "Newton runs on …".
    const first = /^([A-Za-z_]+)\s/.exec(m[2]);
    // (The core starts such a message with the run's own method name.)
    if (!what && first && labels[i] && METHOD_INFO[first[1]]) {
      return { fieldId: null, runIndex: i, text: `${labels[i]}${m[2].slice(first[1].length)}` };
    }
    return { fieldId: null, runIndex: i, text: `${who}${what}: ${m[2]}` };
  }
  if (path === "optimizers") return { fieldId: null, runIndex: null, text: `methods: ${m[2]}` };
  return { fieldId: null, runIndex: null, text: msg };
}

// ---- the experiment in the URL hash ---------------------------------------------------------

const HASH_KEYS = { seed: ["problem", "seed"], rows: ["problem", "rows"], cols: ["problem", "cols"],
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

/** View options in the hash: they never step, reset or reseed. key → {default, values?}. */
export const VIEW_KEYS = {
  view: { default: "test_error", values: ["test_error", "train_error", "objective", "effective_rank", "ratio",
    "subspace_angle_truth", "subspace_angle_start", "nuclear_norm", "frobenius_norm"] },
  x: { default: "step", values: ["step", "time"] },
  ylog: { default: "1", values: ["0", "1"] },
  dots: { default: "1", values: ["0", "1"] },
};

/** Keys the page reads besides the config's own (the rest are reported as ignored). */
const OTHER_KEYS = ["m", "lr", "off", "tuned"];

/** Run length limits (the core's). */
export const STEPS_MAX = 1e8;

function numText(v) {
  return v === undefined || v === null ? "" : String(v);
}

function hyperText(v) {
  return typeof v === "boolean" ? (v ? "1" : "0") : numText(v);
}

/**
 * "#seed=0&rows=30&…&lr=0.01,0.01,…&off=3,4" for a config and the runs' on/off.
 * defaults: leave out values equal to it (null: write every field, as the page does).
 * opts.methods: every method's default config (setMethods(Lab.methods())), to leave out hyper-parameters at
 * their defaults; opts.tuned: the sweep protocol of a tuned race ("-4,3,2,3000"), written as
 * tuned=…; opts.view: {view, x, ylog, dots} view options (written as given).
 * Lists (m, lr, eps, …) are by run, in config order; an empty item means "the default".
 */
export function configToHash(config, enabled, defaults, opts = {}) {
  const p = new URLSearchParams();
  for (const [key, path] of Object.entries(HASH_KEYS)) {
    const v = get(config, path);
    if (v !== undefined && (!defaults || get(defaults, path) !== v)) p.set(key, String(v));
  }
  const opt = config.optimizers || [];
  const dopt = defaults ? defaults.optimizers || [] : [];
  const names = opt.map((o) => o.name);
  const sameMethods = !!defaults && names.join(",") === dopt.map((o) => o.name).join(",");
  if (!sameMethods) p.set("m", names.join(","));
  const lrs = opt.map((o) => numText(o.learning_rate));
  if (!sameMethods || lrs.join(",") !== dopt.map((o) => numText(o.learning_rate)).join(",")) p.set("lr", lrs.join(","));
  const methodDefault = (o, i) =>
    opts.methods?.find((d) => d.name === o.name) ?? (dopt[i]?.name === o.name ? dopt[i] : undefined);
  for (const [key, field] of Object.entries(HYPER_KEYS)) {
    const items = opt.map((o, i) => {
      const d = methodDefault(o, i);
      return o[field] !== undefined && (!d || d[field] !== o[field]) ? hyperText(o[field]) : "";
    });
    if (items.some((e) => e !== "")) p.set(key, items.join(","));
  }
  const off = enabled.map((on, i) => (on ? null : i)).filter((i) => i !== null);
  if (off.length) p.set("off", off.join(","));
  if (opts.tuned) p.set("tuned", opts.tuned);
  if (opts.view) for (const key of Object.keys(VIEW_KEYS)) if (opts.view[key] !== undefined) p.set(key, String(opts.view[key]));
  const s = p.toString().replace(/%2C/g, ","); // keep lists readable: lr=0.01,0.02
  return s ? `#${s}` : "";
}

/**
 * Applies a URL hash to a default config. Unknown keys and unparsable values are ignored and
 * listed in `ignored` (the Lab validates ranges). opts.methods: every method's default config
 * (setMethods(Lab.methods())), for the runs listed by m=.
 * Returns {config, off: number[], tuned: string | null, view: {view?, x?, ylog?, dots?}, ignored: string[]}.
 */
export function configFromHash(hash, defaults, opts = {}) {
  const config = structuredClone(defaults);
  const off = [];
  const ignored = [];
  const view = {};
  let p;
  try {
    p = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  } catch {
    return { config, off, tuned: null, view, ignored: ["the whole link (unreadable)"] };
  }
  const known = new Set([...Object.keys(HASH_KEYS), ...Object.keys(HYPER_KEYS), ...Object.keys(VIEW_KEYS), ...OTHER_KEYS]);
  for (const key of new Set(p.keys())) {
    if (!known.has(key)) ignored.push(key);
    else if (p.getAll(key).length > 1) ignored.push(`${key} after its first value (given ${p.getAll(key).length} times)`);
  }
  for (const [key, path] of Object.entries(HASH_KEYS)) {
    if (!p.has(key)) continue;
    const raw = p.get(key);
    const isText = typeof get(defaults, path) === "string";
    const v = isText ? raw : decimalNumber(raw);
    if (isText || (raw.trim() !== "" && Number.isFinite(v))) set(config, path, v);
    else ignored.push(`${key}=${raw}`);
  }
  if (p.has("m")) {
    const names = p.get("m").split(",").map((t) => t.trim()).filter((t) => t !== "");
    if (names.length) {
      config.optimizers = names.map((name) => {
        const d = opts.methods?.find((o) => o.name === name);
        return d ? structuredClone(d) : { name };
      });
    }
  }
  const perRun = (key, apply, parse = decimalNumber) => {
    if (!p.has(key)) return;
    p.get(key).split(",").forEach((t, i) => {
      if (t.trim() === "") return;
      const v = parse(t.trim());
      if ((typeof v === "boolean" || Number.isFinite(v)) && config.optimizers && config.optimizers[i]) apply(config.optimizers[i], v);
      else ignored.push(`${key}=${t}`);
    });
  };
  perRun("lr", (o, v) => { o.learning_rate = v; });
  for (const [key, field] of Object.entries(HYPER_KEYS)) {
    const parse = field === "bias_correction"
      ? (t) => (t === "1" || t === "true" ? true : t === "0" || t === "false" ? false : NaN)
      : decimalNumber;
    perRun(key, (o, v) => { o[field] = v; }, parse);
  }
  if (p.has("off")) {
    for (const t of p.get("off").split(",")) {
      const i = Number(t);
      if (Number.isInteger(i) && i >= 0) off.push(i);
      else if (t.trim() !== "") ignored.push(`off=${t}`);
    }
  }
  for (const [key, info] of Object.entries(VIEW_KEYS)) {
    if (!p.has(key)) continue;
    const v = p.get(key);
    if (info.values.includes(v)) view[key] = v;
    else ignored.push(`${key}=${v}`);
  }
  const tuned = p.has("tuned") ? p.get("tuned") : null;
  return { config, off, tuned, view, ignored };
}

/** Checks a run length: a whole number from 1 to 10⁸ (the core's limit). Returns an error text or "". */
export function stepsError(v) {
  return Number.isInteger(v) && v >= 1 && v <= STEPS_MAX ? "" : "stop at step: enter a whole number from 1 to 10⁸";
}

/** Checks a seed as the seed control does (a whole number from 0 to 2⁵³ − 1). Returns an error text or "". */
export function seedError(v) {
  try {
    parseField(PROBLEM_FIELDS.find((f) => f.id === "seed"), String(v));
    return "";
  } catch (err) {
    return err.message;
  }
}

/**
 * What the page's controls and link refuse in a whole config although the core takes it: a run
 * length of 0, a seed the page cannot hold exactly (above 2⁵³ − 1). "" or the error, starting
 * with the config path as the core's do ("steps: …").
 */
export function limitsError(config) {
  const steps = config?.steps;
  const badSteps = steps === undefined ? "" : stepsError(steps);
  if (badSteps) return `steps: ${badSteps.replace(/^stop at step: /, "")}, got ${steps}`;
  const seed = config?.problem?.seed;
  const badSeed = seed === undefined ? "" : seedError(seed);
  if (badSeed) return `problem.${badSeed}, got ${seed}`;
  return "";
}

/**
 * The largest problem the page runs smoothly, in numbers a run updates per step: the m·n entries
 * of W, or a deep network's parameters when they are more (m·h + (N − 2)·h² + h·n at depth N,
 * width h); per run, and summed over the runs.
 */
export const MAX_CELLS = 40_000;
export const MAX_CELLS_RUNS = 320_000;

/** A deep network's parameters for an m × n problem, or 0 at depth 1 (the core's default width: max(m, n)). */
export function networkParameters(m, n, model) {
  const depth = Number(model?.depth ?? 1);
  if (!(depth >= 2)) return 0;
  const h = Number(model?.width ?? Math.max(m, n));
  return m * h + (depth - 2) * h * h + h * n;
}

/** "" if the page can run `config` smoothly, else why not (in words, for the page). */
export function sizeError(config) {
  // The core's default problem is 30 × 30.
  const m = Number(config?.problem?.rows ?? 30);
  const n = Number(config?.problem?.cols ?? 30);
  const runs = Math.max(1, (config?.optimizers || []).length);
  if (!(m > 0 && n > 0)) return "";
  const cells = m * n;
  if (cells > MAX_CELLS) {
    return `${m} × ${n} is too big to run smoothly in the page: at most 40 000 entries (e.g. 200 × 200). ` +
      "The command-line tool runs bigger problems";
  }
  const params = networkParameters(m, n, config?.model);
  if (params > MAX_CELLS) {
    return `a depth-${config.model.depth} network of width ${config.model.width ?? Math.max(m, n)} on ${m} × ${n} has ` +
      `${params.toLocaleString("en")} parameters: too many to run smoothly in the page (at most 40 000). ` +
      "The command-line tool runs bigger ones";
  }
  const each = Math.max(cells, params);
  if (each * runs > MAX_CELLS_RUNS) {
    const most = Math.max(1, Math.floor(MAX_CELLS_RUNS / each));
    return `${runs} runs of ${m} × ${n}${params > cells ? ` (${params.toLocaleString("en")} parameters each)` : ""} ` +
      `are too many to run smoothly in the page: at most ${most} at this size`;
  }
  return "";
}
