// The second projection of the trajectories: every run's iterates projected on the top two
// principal directions of all runs' iterates together (the core's `trajectory_pca()`), so that
// paths that leave the start in different directions are seen apart.

import { LinePlot } from "./lineplot.js";
import { MARK_INK } from "./canvas.js";

/** "PC1 (62%)", or "PC1" when nothing has moved yet. */
export function pcLabel(k, fraction) {
  if (!(fraction > 0) || !Number.isFinite(fraction)) return `PC${k}`;
  const pct = fraction * 100;
  const text = pct >= 10 ? pct.toFixed(0) : pct >= 1 ? pct.toFixed(1) : pct.toPrecision(1);
  return `PC${k} (${text}% of the variance)`;
}

/**
 * The plot's x and y ranges: the points' extent widened by `pad` of its span on every side, so
 * that the start and end dots at the extremes are drawn whole. null when there is no point.
 * @param {number[][][]} coords per run, per snapshot, [pc1, pc2]
 * @returns {{x: [number, number], y: [number, number]} | null}
 */
export function paddedRange(coords, pad = 0.06) {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const run of coords || []) {
    for (const [x, y] of run) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x0 > x1) return null;
  const widen = (lo, hi) => {
    const span = hi - lo > 0 ? hi - lo : Math.abs(hi) > 0 ? Math.abs(hi) : 1;
    return [lo - pad * span, hi + pad * span];
  };
  return { x: widen(x0, x1), y: widen(y0, y1) };
}

/** Below this share of the variance, the second principal direction is taken to be none. */
export const FLAT_BELOW = 1e-9;

export class PcaPlot {
  constructor(canvas) {
    this.plot = new LinePlot(canvas, { xLabel: "PC1", yLabel: "PC2", xLog: false, yLog: false });
    this.canvas = canvas;
  }

  /**
   * @param {{coords: number[][][], explained: number[]} | null} pca the core's trajectory_pca()
   * @param {{colour: string, alpha: number, dash: number[], marker: string, diverged: boolean}[]} runs
   *   the style of each run, in the same order as pca.coords
   * @param {string} empty what the plot says when `pca` is null
   */
  draw(pca, runs, empty = "computing…") {
    const explained = pca?.explained || [0, 0];
    // When every path lies on one line (one run that goes straight, say), the second direction
    // holds nothing but rounding noise (1e-16 of the variance): show the line flat at 0 rather
    // than the noise magnified to fill the plot.
    const flat = explained[0] > 0 && !(explained[1] > FLAT_BELOW);
    this.plot.setAxes({ xLabel: pcLabel(1, explained[0]), yLabel: flat ? "PC2 (none: the paths lie on a line)" : pcLabel(2, explained[1]) });
    const series = [];
    const coords = flat ? (pca?.coords || []).map((run) => run.map(([x]) => [x, 0])) : pca?.coords || [];
    runs.forEach((r, i) => {
      const c = coords[i] || [];
      const x = new Float64Array(c.length);
      const y = new Float64Array(c.length);
      for (let k = 0; k < c.length; k++) {
        x[k] = c[k][0];
        y[k] = c[k][1];
      }
      series.push({
        x, y, len: c.length, colour: r.colour, alpha: r.alpha, dash: r.dash, marker: r.marker,
        startDot: true, endDot: true, diverged: r.diverged, enabled: r.enabled,
      });
    });
    // Switched-off runs first, so the others are drawn on top.
    series.sort((a, b) => Number(a.enabled) - Number(b.enabled));
    const first = series.find((s) => s.len > 0);
    const range = paddedRange(coords);
    if (range && flat) {
      const half = (range.x[1] - range.x[0]) / 2;
      range.y = [-half, half];
    }
    this.range = range;
    this.canvas.dataset.flat = String(flat);
    this.plot.draw(series, {
      ...(range ? { xMin: range.x[0], xMax: range.x[1], yHint: range.y } : {}),
      empty,
      decorate: (ctx, map) => {
        if (!first) return;
        ctx.fillStyle = MARK_INK;
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.fillText("start", map.X(first.x[0]) + 6, map.Y(first.y[0]) - 3);
      },
    });
  }
}
