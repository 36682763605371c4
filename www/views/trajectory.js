// The trajectory plot: each run's path in the plane (effective rank, train error).
// Train error is the distance from the constraint set (how far W is from fitting the observed
// entries), on a log scale; the start fits them exactly, so it sits on the "0" line.

import { LogPlot, dashedVLine } from "./lineplot.js";
import { MARK_INK, PAPER } from "./canvas.js";

export class TrajectoryPlot {
  constructor(canvas) {
    this.plot = new LogPlot(canvas, {
      xLabel: "effective rank  (lower = simpler matrix)",
      yLabel: "train error (log)",
      zeroBand: true,
    });
    this.target = null;
  }

  /** @param {number} truthRank effective rank of W*, where a successful run should end */
  setProblem(truthRank) {
    this.target = truthRank;
  }

  /**
   * @param {{rank: ArrayLike<number>, train: ArrayLike<number>, len: number, colour: string,
   *          alpha: number, dash: number[], marker?: string, diverged?: boolean}[]} runs
   */
  draw(runs) {
    let xMax = this.target ? Math.ceil(this.target) + 1 : 2;
    for (const r of runs) {
      for (let k = 0; k < r.len; k++) {
        const v = r.rank[k];
        if (v > xMax && v < Infinity) xMax = v;
      }
    }
    xMax = Math.ceil(xMax);
    const target = this.target;
    const series = runs.map((r) => ({
      x: r.rank,
      y: r.train,
      len: r.len,
      colour: r.colour,
      alpha: r.alpha,
      dash: r.dash,
      marker: r.marker,
      startDot: true,
      endDot: true,
      diverged: r.diverged,
      label: r.label,
    }));
    this.plot.draw(series, {
      xMin: 1,
      xMax,
      decorateBelow: (ctx, map) => {
        if (!target) return;
        dashedVLine(ctx, map.X(target), map.top, map.zeroY, "#888", 1, [4, 4]);
      },
      decorate: (ctx, map) => {
        if (!target) return;
        const x = map.X(target);
        const y = map.zeroY;
        star(ctx, x, y, 7);
        ctx.fillStyle = MARK_INK;
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.fillText("W* (goal)", x + 8, y - 3);
      },
    });
  }
}

function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    const rr = k % 2 ? r * 0.45 : r;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = MARK_INK;
  ctx.strokeStyle = PAPER;
  ctx.lineWidth = 1.5;
  ctx.fill();
  ctx.stroke();
}
