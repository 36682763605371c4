// Sentences about the result on screen, built from the numbers given (the plots' end labels, the
// runs' figures): the page writes no claim about a result that does not come from these.

import { formatFigure } from "./views/axes.js";

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
