// Exports, all made in the browser and downloaded through Blob URLs (same origin; nothing is
// uploaded): a PNG of any canvas, a CSV of every run's metric histories, a JSON of the config
// and the final matrices.

/** Every history metric the core keeps (docs/wasm-api.md, history_ptr). */
export const HISTORY_METRICS = ["step", "objective", "train_error", "test_error", "effective_rank", "ratio",
  "nuclear_norm", "frobenius_norm", "subspace_angle_truth", "subspace_angle_start", "time"];

/** Starts a download of `blob` as `filename`. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A PNG of a canvas (its pixels as drawn), downloaded. */
export function downloadCanvasPng(canvas, filename) {
  canvas.toBlob((blob) => {
    if (blob) download(blob, filename);
  }, "image/png");
}

function csvCell(v) {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "" : String(v);
  const t = String(v);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * The histories as CSV: one row per (run, kept step), columns run, method, label, then every
 * metric. NaN (does not apply) is an empty cell.
 * @param {{run: number, name: string, label: string, h: Record<string, ArrayLike<number>>, len: number}[]} runs
 */
export function historiesCsv(runs) {
  const lines = [["run", "method", "label", ...HISTORY_METRICS].join(",")];
  for (const r of runs) {
    for (let k = 0; k < r.len; k++) {
      lines.push([r.run, r.name, r.label, ...HISTORY_METRICS.map((m) => r.h[m]?.[k] ?? NaN)].map(csvCell).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}
