// The problem, model and loss controls of the page (PROBLEM_FIELDS): the config's values put into
// them, and a config read back out of them.

import { PROBLEM_FIELDS, getPath, parseField, setPath } from "../schema.js";

/** Puts a config's problem values into the controls. */
export function fillControls(config, doc = document) {
  for (const f of PROBLEM_FIELDS) {
    const el = doc.getElementById(f.id);
    const v = getPath(config, f.path);
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
    setPath(config, f.path, v);
  }
  (config.optimizers || []).forEach((opt, i) => {
    if (Number.isFinite(learningRates[i])) opt.learning_rate = learningRates[i];
  });
  return config;
}
