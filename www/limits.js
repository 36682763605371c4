// The page's own limits, with no DOM or globals: the run length, the seed and the size the page
// runs smoothly (the core takes more; the command-line tool runs bigger problems).

import { PROBLEM_FIELDS, parseField } from "./schema.js";

/** Run length limits (the core's). */
export const STEPS_MAX = 1e8;

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

/**
 * Checks the page's own limits before building a lab (the size it runs smoothly, and the run
 * length and seed its controls and links take): "" or why not.
 */
export function checkConfig(config) {
  const beyond = limitsError(config);
  if (beyond) return beyond;
  const t = config?.problem?.truth;
  if (Array.isArray(t)) {
    const rows = t.length;
    const cols = Array.isArray(t[0]) ? t[0].length : 0;
    return sizeError({ ...config, problem: { rows, cols } });
  }
  return sizeError(config);
}
