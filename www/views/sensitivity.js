// The learning-rate sensitivity plot: final test error (log) against learning rate (log), one
// line per method in its colour; a diverged cell is a × on the "diverged" band at the top; each
// method's best rate is ringed. A dashed line marks the "recovered" threshold.

import { LinePlot, dashedVLine } from "./lineplot.js";
import { AXIS_COLOUR, HALO } from "./canvas.js";

/** Test error below which a run counts as having found W*. */
export const RECOVERED = 0.05;

/** Test errors above this are drawn at it, as ▲ (the interesting range is below 1). */
export const CAP = 10;

export class SensitivityPlot {
  constructor(canvas) {
    this.plot = new LinePlot(canvas, {
      xLabel: "learning rate (log)",
      yLabel: "final test error (log)",
      xLog: true,
      yLog: true,
      infBand: "diverged",
    });
  }

  /**
   * @param {object[]} cells {optimizer, learning_rate, test_error, diverged_at}
   * @param {object[]} best {optimizer, learning_rate, test_error}
   * @param {(i: number) => {colour: string, dash: number[], marker: string}} style of method i
   * @param {{from: number, to: number}} [range] the grid's exponents, for the x axis
   * @param {string} [empty] what an empty plot says
   * @param {number} [guess] a reader's guess of a rate (the essay, story.html): a dotted line
   */
  draw(cells, best, style, range, empty = "press “Run the sweep” to fill this plot", guess = NaN) {
    const byRun = new Map();
    for (const c of cells) {
      if (!byRun.has(c.optimizer)) byRun.set(c.optimizer, []);
      byRun.get(c.optimizer).push(c);
    }
    const series = [];
    const capped = [];
    for (const [i, list] of byRun) {
      list.sort((a, b) => a.learning_rate - b.learning_rate);
      const x = Float64Array.from(list, (c) => c.learning_rate);
      const y = Float64Array.from(list, (c) => {
        if (c.diverged_at !== null && c.diverged_at !== undefined) return Infinity;
        if (c.test_error > CAP) {
          capped.push({ x: c.learning_rate, colour: style(i).colour });
          return CAP;
        }
        return c.test_error;
      });
      const s = style(i);
      series.push({ x, y, len: list.length, colour: s.colour, dash: s.dash, marker: s.marker, width: 1.75, points: true });
    }
    const rings = (best || []).filter((b) => Number.isFinite(b.test_error));
    this.plot.draw(series, {
      xMin: range ? 10 ** range.from : undefined,
      xMax: range ? 10 ** range.to : undefined,
      yHint: [RECOVERED, CAP],
      empty,
      decorateBelow: (ctx, map) => {
        const y = Math.round(map.Y(RECOVERED)) + 0.5;
        ctx.strokeStyle = "#8a8a8a";
        ctx.lineWidth = 1;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(map.left, y);
        ctx.lineTo(map.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
        const label = `found W* (test error < ${RECOVERED})`;
        ctx.textAlign = "left";
        ctx.textBaseline = "top";
        ctx.strokeStyle = HALO;
        ctx.lineWidth = 3;
        ctx.strokeText(label, map.left + 4, y + 2);
        ctx.fillStyle = AXIS_COLOUR;
        ctx.fillText(label, map.left + 4, y + 2);
      },
      decorate: (ctx, map) => {
        // Test errors off the scale: a small ▲ on the top line.
        for (const c of capped) {
          const x = map.X(c.x);
          const y = map.Y(CAP) - 2;
          ctx.fillStyle = c.colour;
          ctx.beginPath();
          ctx.moveTo(x, y - 7);
          ctx.lineTo(x - 4.5, y);
          ctx.lineTo(x + 4.5, y);
          ctx.closePath();
          ctx.fill();
        }
        for (const b of rings) {
          const s = style(b.optimizer);
          ctx.strokeStyle = s.colour;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.arc(map.X(b.learning_rate), map.Y(b.test_error), 7.5, 0, 2 * Math.PI);
          ctx.stroke();
        }
        if (Number.isFinite(guess)) {
          const x = dashedVLine(ctx, map.X(guess), map.top, map.bottom, AXIS_COLOUR, 1.5, [2, 3]);
          ctx.fillStyle = "#333";
          ctx.textAlign = x > (map.left + map.right) / 2 ? "right" : "left";
          ctx.textBaseline = "bottom";
          ctx.fillText("your guess", x + (ctx.textAlign === "left" ? 4 : -4), map.bottom - 4);
        }
      },
    });
  }
}
