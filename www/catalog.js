// The catalog's view, with no DOM, wasm or globals: the methods as the core lists them
// (`Lab.methods()`: name, label, family, about, rule, equivariant, colour_slot,
// has_learning_rate, direct_only, solver, hyper [{name, label, default, range}], config), and
// how the page names them and their hyper-parameters. Every per-method fact the page shows (the
// picker, a panel's hyper-parameters, the update rule, the label, the colour) comes from here;
// no other module keeps a table of methods (presets may name some).

import { formatNumber, formatPow10 } from "./views/axes.js";

/**
 * The catalog of `methods` (the parsed `Lab.methods()`, in the page's order).
 * @returns {{list: object[], configs: object[], has(name): boolean, get(name): object|undefined,
 *   label(name): string, about(name): string, rule(name): {lines: string[], source: string}|null,
 *   slot(name): number|undefined, hyperLabel(field, method?): string|undefined, overlap(name): number}}
 */
export function makeCatalog(methods) {
  const list = Array.isArray(methods) ? methods.filter((m) => m && typeof m.name === "string") : [];
  const byName = new Map(list.map((m) => [m.name, m]));
  const hyper = new Map();
  // The classical family's methods (GD, momentum, Nesterov: steps proportional to the gradient)
  // draw on top of each other at small rates: each after the first gets its place (1, 2, …).
  const classical = list.filter((m) => m.family === "classical").map((m) => m.name);
  const overlap = new Map(classical.map((name, k) => [name, k]));
  for (const m of list) for (const h of m.hyper ?? []) if (h?.name && h.label && !hyper.has(h.name)) hyper.set(h.name, h.label);
  return {
    list,
    configs: list.map((m) => m.config ?? { name: m.name }),
    has: (name) => byName.has(name),
    get: (name) => byName.get(name),
    label: (name) => byName.get(name)?.label ?? name,
    about: (name) => byName.get(name)?.about ?? byName.get(name)?.label ?? name,
    rule: (name) => {
      const r = byName.get(name)?.rule;
      return r && Array.isArray(r.lines) && r.lines.length ? r : null;
    },
    slot: (name) => {
      const s = byName.get(name)?.colour_slot;
      return Number.isInteger(s) ? s : undefined;
    },
    // Method `method`'s own label for `field` (ASGD's alpha is its power "α", RMSProp's its decay),
    // else the first method's that has the field.
    hyperLabel: (field, method) => byName.get(method)?.hyper?.find((h) => h?.name === field)?.label || hyper.get(field),
    overlap: (name) => overlap.get(name) ?? 0,
  };
}

/** The picker's families, in its order (the core's `Family`; a family not listed here follows, by its name). */
export const FAMILIES = [
  { id: "classical", label: "Classical: steps proportional to the gradient" },
  { id: "adaptive", label: "Adaptive per entry" },
  { id: "sign", label: "Sign of each entry" },
  { id: "spectral", label: "Step length and spectrum (the whole matrix)" },
  { id: "solver", label: "Second order and solvers" },
];

/** The catalog's methods grouped by family: [{id, label, methods: [{name, label, about}]}], none empty. */
export function methodGroups(catalog) {
  const ids = [...FAMILIES.map((f) => f.id), ...new Set(catalog.list.map((m) => m.family))];
  return [...new Set(ids)]
    .map((id) => ({
      id,
      label: FAMILIES.find((f) => f.id === id)?.label ?? String(id ?? "other"),
      methods: catalog.list.filter((m) => m.family === id).map((m) => ({ name: m.name, label: catalog.label(m.name), about: catalog.about(m.name) })),
    }))
    .filter((g) => g.methods.length);
}

/** A hyper-parameter's value for people: 10⁻⁴ for powers of ten, "on"/"off" for switches. */
export function formatParam(v) {
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v !== "number") return String(v);
  if (v > 0) {
    const k = Math.round(Math.log10(v));
    if (Math.abs(v - 10 ** k) <= 1e-12 * v && (k < -3 || k > 3)) return formatPow10(k);
  }
  return formatNumber(v);
}

/** "damping 10⁻⁴ · CG steps ≤ 30" from an optimizer config, leaving out `skip`; `catalog` names the fields. */
export function hyperText(opt, catalog, skip = ["name", "learning_rate"]) {
  return Object.entries(opt || {})
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${catalog?.hyperLabel(k, opt.name) || k.replace(/_/g, " ")} ${formatParam(v)}`)
    .join(" · ");
}

/**
 * Labels that tell runs apart. A run whose label an earlier run already has gets, in brackets,
 * the fields of its optimizer config that differ from the first run with that label ("Adam (eps
 * 10⁻¹²)"); if nothing differs (or that is taken too), a number ("Adam (2)"). The learning rate is
 * left out: it changes without a rebuild (the panel shows it).
 * @param {{label: string, opt: object}[]} runs each run's label and optimizer config
 * @returns {string[]} one label per run, all different
 */
export function distinctLabels(runs, catalog) {
  const used = new Set();
  return runs.map((run, i) => {
    const first = runs.findIndex((r) => r.label === run.label);
    let label = run.label;
    if (first < i) {
      const a = runs[first].opt || {};
      const b = run.opt || {};
      const diff = Object.fromEntries(Object.entries(b).filter(([k, v]) => JSON.stringify(a[k]) !== JSON.stringify(v)));
      const text = hyperText({ ...diff, name: b.name }, catalog);
      if (text) label = `${run.label} (${text})`;
    }
    for (let n = 2; used.has(label); n++) label = `${run.label} (${n})`;
    used.add(label);
    return label;
  });
}
