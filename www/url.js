// The URL codec: the experiment as a link's hash and back, with no DOM or globals. The store
// (www/store.js) is its only user, and these functions are the only code that reads or writes
// a location's hash (`readHash`, `writeHash`, `hereLink`, `pageLink`, given the location).
//
// "#seed=0&rows=30&…&m=adam,gd&lr=0.01,0.01&off=1&tuned=-4,3,2,3000&view=test_error": every field
// of the config (enums by name, the seed included), the methods, per-run lists (an empty item
// is the method's default), the runs that are off, the tuned race's protocol, the view options.

import { HASH_KEYS, OTHER_KEYS, VIEW_KEYS, decimalNumber, getPath as get, hyperKeys, setPath as set } from "./schema.js";

function numText(v) {
  return v === undefined || v === null ? "" : String(v);
}

/** A hyper-parameter in a list item: switches 1/0, lists joined by ":" (3.4445:-4.775:2.0315), "null". */
function hyperText(v) {
  if (typeof v === "boolean") return v ? "1" : "0";
  if (Array.isArray(v)) return v.map(numText).join(":");
  return v === null ? "null" : numText(v);
}

/**
 * A list item's hyper-parameter, read as the type of `like` (the method's default for the field):
 * a switch, a name, a list of numbers or a number ("null" where the default is null); undefined
 * if it does not read as one.
 */
function hyperValue(text, like, field) {
  if (typeof like === "boolean" || (like === undefined && field === "bias_correction")) {
    return text === "1" || text === "true" ? true : text === "0" || text === "false" ? false : undefined;
  }
  if (typeof like === "string") return text;
  if (Array.isArray(like)) {
    const items = text.split(":").map(decimalNumber);
    return items.every(Number.isFinite) ? items : undefined;
  }
  if (like === null && text === "null") return null;
  const v = decimalNumber(text);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * "#seed=0&rows=30&…&lr=0.01,0.01,…&off=3,4" for a config and the runs' on/off.
 * defaults: leave out values equal to it (null: write every field, as the page does).
 * opts.methods: every method's default config (the catalog's configs), to leave out hyper-parameters at
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
  for (const [key, field] of Object.entries(hyperKeys(opts.methods))) {
    const items = opt.map((o, i) => {
      const d = methodDefault(o, i);
      return o[field] !== undefined && (!d || JSON.stringify(d[field]) !== JSON.stringify(o[field])) ? hyperText(o[field]) : "";
    });
    if (items.some((e) => e !== "")) p.set(key, items.join(","));
  }
  const off = enabled.map((on, i) => (on ? null : i)).filter((i) => i !== null);
  if (off.length) p.set("off", off.join(","));
  if (opts.tuned) p.set("tuned", opts.tuned);
  if (opts.view) for (const key of Object.keys(VIEW_KEYS)) if (opts.view[key] !== undefined) p.set(key, String(opts.view[key]));
  const s = p.toString().replace(/%2C/g, ",").replace(/%3A/g, ":"); // keep lists readable: lr=0.01,0.02
  return s ? `#${s}` : "";
}

/**
 * Applies a URL hash to a default config. Unknown keys and unparsable values are ignored and
 * listed in `ignored` (the Lab validates ranges). opts.methods: every method's default config
 * (the catalog's configs), for the runs listed by m=.
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
  const hyper = hyperKeys(opts.methods);
  const known = new Set([...Object.keys(HASH_KEYS), ...Object.keys(hyper), ...Object.keys(VIEW_KEYS), ...OTHER_KEYS]);
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
  // Each run's item of list `key`, read as the run's method's default for `field` (a number if
  // the method or the field is unknown: the Lab names what it refuses).
  const perRun = (key, field) => {
    if (!p.has(key)) return;
    p.get(key).split(",").forEach((t, i) => {
      if (t.trim() === "") return;
      const o = config.optimizers?.[i];
      const like = opts.methods?.find((d) => d.name === o?.name)?.[field];
      const v = o ? hyperValue(t.trim(), like, field) : undefined;
      if (v !== undefined) o[field] = v;
      else ignored.push(`${key}=${t}`);
    });
  };
  perRun("lr", "learning_rate");
  for (const [key, field] of Object.entries(hyper)) perRun(key, field);
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

/** The hash of location `loc` ("" or "#…"). */
export function readHash(loc) {
  return loc.hash;
}

/** Shows `hash` ("" or "#…") in location `loc`'s address without a navigation (hist.replaceState). */
export function writeHash(loc, hist, hash) {
  const url = loc.pathname + loc.search + hash;
  if (url !== loc.pathname + loc.search + loc.hash) hist.replaceState(null, "", url);
  return loc.hash;
}

/** The whole address of `loc`, its hash included (the link to the experiment). */
export function hereLink(loc) {
  return loc.href;
}

/** The page's own address with `loc`'s hash: the same experiment on the full page. */
export function pageLink(loc) {
  return loc.pathname + loc.hash;
}

/** Navigates location `loc` to `hash` (a hash change follows: back and forward reach it). */
export function goToHash(loc, hash) {
  loc.hash = hash;
}
