// The second projection of the trajectories: every run's iterates projected on the top two
// principal directions of all runs' iterates together (the core's `trajectory_pca()`), so that
// paths that leave the start in different directions are seen apart.

import { LinePlot } from "./lineplot.js";

/** "PC1 (62%)", or "PC1" when nothing has moved yet. */
export function pcLabel(k, fraction) {
  if (!(fraction > 0) || !Number.isFinite(fraction)) return `PC${k}`;
  const pct = fraction * 100;
  const text = pct >= 10 ? pct.toFixed(0) : pct >= 1 ? pct.toFixed(1) : pct.toPrecision(1);
  return `PC${k} (${text}% of the variance)`;
}

export class PcaPlot {
  constructor(canvas) {
    this.plot = new LinePlot(canvas, { xLabel: "PC1", yLabel: "PC2", xLog: false, yLog: false });
    this.canvas = canvas;
  }

  /**
   * @param {{coords: number[][][], explained: number[]} | null} pca the core's trajectory_pca()
   * @param {{colour: string, alpha: number, dash: number[], marker: string, diverged: boolean}[]} runs
   *   the style of each run, in the same order as pca.coords
   */
  draw(pca, runs) {
    const explained = pca?.explained || [0, 0];
    this.plot.setAxes({ xLabel: pcLabel(1, explained[0]), yLabel: pcLabel(2, explained[1]) });
    const series = [];
    const coords = pca?.coords || [];
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
    this.plot.draw(series, {
      empty: "computing…",
      decorate: (ctx, map) => {
        if (!first) return;
        ctx.fillStyle = "#111";
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.fillText("start", map.X(first.x[0]) + 6, map.Y(first.y[0]) - 3);
      },
    });
  }
}
