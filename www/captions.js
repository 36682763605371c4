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
