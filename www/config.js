// Building experiment configs (the JSON that `new Lab(json)` takes) from the page's controls,
// and writing / reading the experiment in the URL's hash so that a link reproduces it.
//
// Problem controls are "reset" properties: changing one builds a new Lab. Learning rates and
// on/off are "hot": applied to the running lab (set_learning_rate, set_enabled).

/** The problem controls: element id → where the value goes in the config, and its type. */
export const PROBLEM_FIELDS = [
  { id: "seed", path: ["problem", "seed"], type: "int", name: "seed", min: 0 },
  { id: "rows", path: ["problem", "rows"], type: "int", name: "rows" },
  { id: "cols", path: ["problem", "cols"], type: "int", name: "columns" },
  { id: "rank", path: ["problem", "rank"], type: "int", name: "rank" },
  { id: "observed", path: ["problem", "observed"], type: "int", name: "observed entries" },
  { id: "penalty", path: ["objective", "penalty"], type: "enum", name: "penalty" },
  { id: "lambda", path: ["objective", "lambda"], type: "float", name: "λ" },
];

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

/** Parses one control's text; throws Error("rows: …") for text that is not a number of its type. */
export function parseField(field, text) {
  const t = String(text).trim();
  if (field.type === "enum") return t;
  const v = Number(t);
  if (t === "" || !Number.isFinite(v)) throw new Error(`${field.name}: enter a number`);
  if (field.type === "int" && !Number.isInteger(v)) throw new Error(`${field.name}: enter a whole number`);
  if (field.min !== undefined && v < field.min) throw new Error(`${field.name}: enter a number of at least ${field.min}`);
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
 * Returns {fieldId, text}: the id of the control it is about (or null) and the message with the
 * path replaced by the control's name, e.g. "rank: must be between 1 and …".
 */
export function explainLabError(message) {
  const msg = String(message);
  const m = /^\s*([A-Za-z_]+(?:\.[A-Za-z_]+|\[\d+\])*)\s*:\s*(.*)$/s.exec(msg);
  if (!m) return { fieldId: null, text: msg };
  const path = m[1];
  const field = PROBLEM_FIELDS.find((f) => f.path.join(".") === path);
  if (field) return { fieldId: field.id, text: `${field.name}: ${m[2]}` };
  return { fieldId: null, text: msg };
}

// ---- the experiment in the URL hash ---------------------------------------------------------

const HASH_KEYS = { seed: ["problem", "seed"], rows: ["problem", "rows"], cols: ["problem", "cols"],
  rank: ["problem", "rank"], observed: ["problem", "observed"], penalty: ["objective", "penalty"],
  lambda: ["objective", "lambda"], steps: ["steps"] };

/** "#seed=0&rows=30&…&lr=0.01,0.01,…&off=3,4" for a config and the runs' on/off. */
export function configToHash(config, enabled, defaults) {
  const p = new URLSearchParams();
  for (const [key, path] of Object.entries(HASH_KEYS)) {
    const v = get(config, path);
    if (v !== undefined && (!defaults || get(defaults, path) !== v)) p.set(key, String(v));
  }
  const lrs = (config.optimizers || []).map((o) => o.learning_rate);
  const dlrs = defaults ? (defaults.optimizers || []).map((o) => o.learning_rate) : [];
  if (lrs.join(",") !== dlrs.join(",")) p.set("lr", lrs.join(","));
  const off = enabled.map((on, i) => (on ? null : i)).filter((i) => i !== null);
  if (off.length) p.set("off", off.join(","));
  const s = p.toString().replace(/%2C/g, ","); // keep lists readable: lr=0.01,0.02
  return s ? `#${s}` : "";
}

/**
 * Applies a URL hash to a default config. Unknown keys and unparsable values are ignored (the
 * Lab validates ranges). Returns {config, off: number[]}.
 */
export function configFromHash(hash, defaults) {
  const config = structuredClone(defaults);
  const off = [];
  const p = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  for (const [key, path] of Object.entries(HASH_KEYS)) {
    if (!p.has(key)) continue;
    const raw = p.get(key);
    const isText = typeof get(defaults, path) === "string";
    const v = isText ? raw : Number(raw);
    if (isText || Number.isFinite(v)) set(config, path, v);
  }
  if (p.has("lr")) {
    p.get("lr").split(",").forEach((t, i) => {
      const v = Number(t);
      if (t !== "" && Number.isFinite(v) && config.optimizers && config.optimizers[i]) {
        config.optimizers[i].learning_rate = v;
      }
    });
  }
  if (p.has("off")) {
    for (const t of p.get("off").split(",")) {
      const i = Number(t);
      if (Number.isInteger(i) && i >= 0) off.push(i);
    }
  }
  return { config, off };
}
