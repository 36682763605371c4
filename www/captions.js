// Sentences about the result on screen, built from the numbers given (the plots' end labels, the
// runs' figures): the page writes no claim about a result that does not come from these.

import { formatFigure, formatNumber } from "./views/axes.js";

/** "A", "A and B", "A, B and C". */
export function listNames(names) {
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0] ?? "";
}

/** The numbers `values` as the page shows them: "0.999", or "0.998 to 0.999" when they differ there. */
export function valueRange(values) {
  const shown = [...new Set([...values].filter(Number.isFinite).sort((a, b) => a - b).map(formatFigure))];
  if (!shown.length) return "";
  return shown.length === 1 ? shown[0] : `${shown[0]} to ${shown[shown.length - 1]}`;
}

/**
 * What a plot's shared end labels mean: the runs whose lines end on top of each other, from the
 * rows of labels it drew ([{labels, values, xs}], lineplot.js's drawEndLabels), with `at(row)`
 * saying where ("at test error 0.999"); "" when no two lines end together.
 */
export function overlapSentence(rows, at) {
  const groups = (rows || []).filter((r) => r.labels.length > 1);
  if (!groups.length) return "";
  const parts = groups.map((r) => `${listNames(r.labels)} end on top of each other (${at(r)})`);
  return `${parts.join("; ")}: one label at their end names them all.`;
}

/**
 * What the runs on screen show, under a preset's caption: each run's test error at `step` (1 is
 * the start), which ones fit the seen values closer than W* itself does (`truthTrain`, W*'s own
 * train error: more than 0 only with noise), i.e. fit the noise, which are worse than at the
 * start, and which is closest to W*. runs: [{label, test, train, diverged, blowingUp (steps or null)}], the
 * runs that are on. "" before the first step.
 */
export function outcomeSentence(runs, { step, truthTrain = 0 }) {
  if (!runs.length || !(step > 0)) return "";
  const none = (v) => v === null || v === undefined;
  // A run that diverged or is blowing up (‖W‖F past 10× the data's size) has no result to report.
  const live = runs.filter((r) => none(r.diverged) && none(r.blowingUp));
  const names = (rs) => listNames(rs.map((r) => r.label));
  const state = (r) => (!none(r.diverged) ? `diverged at step ${r.diverged}` : `blowing up since step ${r.blowingUp}`);
  const each = runs.map((r) => `${r.label} ${live.includes(r) ? formatFigure(r.test) : state(r)}`);
  const out = [`At step ${step}, test error (1: the start, 0: W* found): ${each.join(", ")}.`];
  const fitNoise = truthTrain > 0 ? live.filter((r) => r.train < truthTrain) : [];
  if (fitNoise.length) {
    const one = fitNoise.length === 1;
    out.push(`${names(fitNoise)} ${one ? "fits" : "fit"} the seen values closer than W* itself does (train error ${fitNoise.map((r) => formatFigure(r.train)).join(", ")}; W*'s: ${formatFigure(truthTrain)}): ${one ? "it fits" : "they fit"} the noise.`);
  }
  const worse = live.filter((r) => r.test > 1);
  if (worse.length) out.push(`${names(worse)} ${worse.length === 1 ? "is" : "are"} now further from W* than at the start.`);
  const best = live.filter((r) => Number.isFinite(r.test)).sort((a, b) => a.test - b.test)[0];
  if (best && runs.length > 1) out.push(`Closest to W*: ${best.label}.`);
  return out.join(" ");
}

/** The test error below which a run has found W* (the recovery map's count, the issue's wording). */
export const FOUND = 0.05;

/**
 * What happened since the last call: runs that diverged, runs whose test error went below FOUND
 * (at the first step of its history drawn below it, else the step on screen), and the race's end.
 * `seen`: the caller's memory (a Set of what it was told; clear it with the experiment).
 * runs: [{key, label, step, test, diverged (a step or null), firstBelow (a step or null)}], the
 * runs that are on; `ended`: every one of them has stopped (run length or divergence).
 * Returns [{kind: "diverged" | "found" | "finished", label?, step}], in the order they happened.
 */
export function milestones(seen, runs, ended) {
  const out = [];
  for (const r of runs) {
    if (r.diverged !== null && r.diverged !== undefined && !seen.has(`d${r.key}`)) {
      seen.add(`d${r.key}`);
      out.push({ kind: "diverged", key: r.key, label: r.label, step: r.diverged });
    } else if ((r.diverged === null || r.diverged === undefined) && r.test < FOUND && !seen.has(`f${r.key}`)) {
      seen.add(`f${r.key}`);
      out.push({ kind: "found", key: r.key, label: r.label, step: r.firstBelow ?? r.step, test: r.test });
    }
  }
  out.sort((a, b) => a.step - b.step);
  const step = Math.max(0, ...runs.map((r) => r.step));
  if (ended && step > 0 && !seen.has(`e${step}`)) {
    seen.add(`e${step}`);
    out.push({ kind: "finished", step });
  }
  return out;
}

/** A milestone in words: "Adam found W* (test error below 0.05) at step 640", "GD diverged at step 12". */
export function milestoneSentence(m, runs) {
  if (m.kind === "diverged") return `${m.label} diverged at step ${m.step}.`;
  if (m.kind === "found") return `${m.label} found W* (test error below ${FOUND}) at step ${m.step}.`;
  const each = runs.map((r) => `${r.label} ${r.diverged === null || r.diverged === undefined ? formatFigure(r.test) : `diverged at step ${r.diverged}`}`);
  return `Stopped at step ${m.step}; test error: ${each.join(", ")}.`;
}

const isSet = (v) => v !== null && v !== undefined;

/**
 * One run's numbers as a canvas describes them: "Adam: test error 0.0140, effective rank 2.05",
 * or "GD: diverged at step 12". run: {label, test, rank, train?, diverged}; `fields` picks and
 * orders what is said ("test", "train", "rank").
 */
export function runFigures(run, fields = ["test", "rank"]) {
  if (isSet(run.diverged)) return `${run.label}: diverged at step ${run.diverged}`;
  const words = { test: "test error", train: "train error", rank: "effective rank" };
  // The effective rank as the panels show it (two decimals).
  const shown = (f) => (f === "rank" ? run[f].toFixed(2) : formatFigure(run[f]));
  const parts = fields.filter((f) => Number.isFinite(run[f])).map((f) => `${words[f]} ${shown(f)}`);
  return parts.length ? `${run.label}: ${parts.join(", ")}` : `${run.label}: no figures yet`;
}

/** A test error this close to the start's (1) is a run that hardly moved. */
export const HARDLY = 0.9;

/**
 * The equal race in words, from the runs on screen at `step` (runs: [{label, test, stepNorm,
 * diverged}], the runs that are on and have the shared rate): which found W* (test error below
 * FOUND), which hardly moved (above HARDLY) and their last steps against the others'. "" before
 * the first step.
 */
export function equalRaceSentence(runs, { step }) {
  if (!runs.length || !(step > 0)) return "";
  const live = runs.filter((r) => !isSet(r.diverged) && Number.isFinite(r.test));
  const found = live.filter((r) => r.test < FOUND);
  const still = live.filter((r) => r.test > HARDLY);
  const out = [];
  const errs = (rs) => rs.map((r) => formatFigure(r.test)).join(", ");
  if (found.length) out.push(`${listNames(found.map((r) => r.label))} ${found.length === 1 ? "has" : "have"} found W* (test error ${errs(found)}, below ${FOUND})`);
  if (still.length) {
    const norms = (rs) => valueRange(rs.map((r) => r.stepNorm));
    const moved = live.filter((r) => !still.includes(r) && Number.isFinite(r.stepNorm));
    let why = "";
    if (moved.length && still.some((r) => Number.isFinite(r.stepNorm))) {
      why = `: their last steps moved W by ${norms(still)}, the others' by ${norms(moved)} (‖ΔW‖F)`;
    }
    out.push(`${listNames(still.map((r) => r.label))} hardly ${still.length === 1 ? "moves" : "move"} (test error ${valueRange(still.map((r) => r.test))}; 1 is the start)${why}`);
  }
  const diverged = runs.filter((r) => isSet(r.diverged));
  if (diverged.length) out.push(`${listNames(diverged.map((r) => r.label))} diverged`);
  if (!out.length) return `At step ${step} no run has found W* yet (test error ${errs(live)}).`;
  return `At step ${step}, ${out.join("; ")}.`;
}

/**
 * What a sweep says about one method whose best rate is far from the equal race's: its final
 * test error at each whole decade of rate swept (and at its best), and the rates at which it found
 * W*. line: {label, steps (each run's length), points: [{lr, test, diverged}], best (a rate or
 * null)}; `equal` the equal race's rate.
 */
export function sweepWindowSentence(line, equal) {
  const pts = line.points.filter((p) => !isSet(p.diverged) && Number.isFinite(p.test));
  const decade = (lr) => Math.abs(Math.log10(lr) - Math.round(Math.log10(lr))) < 1e-9;
  const shown = pts.filter((p) => decade(p.lr) || p.lr === line.best);
  const each = shown.map((p) => `${formatFigure(p.test)} at ${formatNumber(p.lr)}`).join(", ");
  const found = pts.filter((p) => p.test < FOUND).map((p) => p.lr);
  const lo = Math.min(...found);
  const hi = Math.max(...found);
  const where = !found.length ? `it finds W* (test error below ${FOUND}) at no rate in ${line.steps} steps`
    : `it finds W* (test error below ${FOUND}) only ${lo === hi ? `at ${formatNumber(lo)}` : `from ${formatNumber(lo)} to ${formatNumber(hi)}`}` +
      (lo > equal ? `, ${formatNumber(lo / equal)} times the equal race's ${formatNumber(equal)}` : "");
  return `In the sweep (${line.steps} steps each), ${line.label}'s final test error is ${each}: ${where}.`;
}
