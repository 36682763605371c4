// A line plot with a linear x axis and a log y axis, many series, crisp at any devicePixelRatio.
// Values ≤ 0 (which a log axis cannot show) are drawn on a separate "0" line under the axis.

import { CanvasView, FONT, AXIS_COLOUR, GRID_COLOUR, TEXT_COLOUR } from "./canvas.js";
import { decadeRange, formatNumber, formatPow10, linearTicks, logTicks } from "./axes.js";

/**
 * @typedef {object} Series
 * @property {ArrayLike<number>} x
 * @property {ArrayLike<number>} y
 * @property {number} len         points to draw (x and y may be longer)
 * @property {string} colour
 * @property {number} [alpha]     1 by default
 * @property {number[]} [dash]
 * @property {boolean} [endDot]   a filled dot at the last point
 * @property {boolean} [startDot] a hollow dot at the first point
 * @property {boolean} [diverged] end with a cross instead of a dot
 */

export class LogPlot {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{xLabel: string, yLabel: string, zeroBand?: boolean, maxDecades?: number}} opts
   *   zeroBand: always show the "0" line (otherwise only when some value is ≤ 0)
   */
  constructor(canvas, { xLabel, yLabel, zeroBand = false, maxDecades = 10 }) {
    this.view = new CanvasView(canvas);
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.zeroBand = zeroBand;
    this.maxDecades = maxDecades;
    this.last = null;
    this.view.onResize = () => this.last && this.draw(...this.last);
  }

  /**
   * @param {Series[]} series
   * @param {{xMin: number, xMax: number, xTickFormat?: (v:number)=>string,
   *          decorate?: (ctx: CanvasRenderingContext2D, map: object) => void}} opts
   */
  draw(series, opts) {
    this.last = [series, opts];
    let minPos = Infinity;
    let maxPos = 0;
    let hasZero = this.zeroBand;
    for (const s of series) {
      for (let k = 0; k < s.len; k++) {
        const v = s.y[k];
        if (v > 0 && v < Infinity) {
          if (v < minPos) minPos = v;
          if (v > maxPos) maxPos = v;
        } else if (v <= 0) hasZero = true;
      }
    }
    if (opts.yHint) {
      for (const v of opts.yHint) {
        if (v > 0 && v < minPos) minPos = v;
        if (v > maxPos) maxPos = v;
      }
    }
    const { lo, hi } = decadeRange(minPos, maxPos, this.maxDecades);

    const ctx = this.view.begin();
    const { width: w, height: h } = this.view;
    const m = { left: 58, right: 14, top: 10, bottom: 36 };
    const zeroGap = hasZero ? 16 : 0;
    const pw = Math.max(10, w - m.left - m.right);
    const ph = Math.max(10, h - m.top - m.bottom - zeroGap);
    const xMin = opts.xMin;
    const xMax = opts.xMax > xMin ? opts.xMax : xMin + 1;
    const X = (v) => m.left + (pw * (v - xMin)) / (xMax - xMin);
    const zeroY = m.top + ph + zeroGap;
    const Y = (v) => {
      if (!(v > 0)) return zeroY;
      const t = (Math.log10(v) - lo) / (hi - lo);
      return m.top + ph * (1 - (t < 0 ? 0 : t));
    };
    const map = { X, Y, left: m.left, top: m.top, right: m.left + pw, bottom: m.top + ph, zeroY, hasZero, lo, hi };

    ctx.font = FONT;
    ctx.lineWidth = 1;

    // Grid and y ticks.
    const { majors, minors } = logTicks(lo, hi, ph > 180 ? 8 : 5);
    ctx.strokeStyle = GRID_COLOUR;
    ctx.beginPath();
    for (const k of minors) {
      const yy = Math.round(Y(10 ** k)) + 0.5;
      ctx.moveTo(m.left, yy);
      ctx.lineTo(m.left + 4, yy);
    }
    ctx.stroke();
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const k of majors) {
      const yy = Math.round(Y(10 ** k)) + 0.5;
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      ctx.moveTo(m.left, yy);
      ctx.lineTo(m.left + pw, yy);
      ctx.stroke();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(formatPow10(k), m.left - 5, yy);
    }
    if (hasZero) {
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText("0", m.left - 5, zeroY);
      ctx.strokeStyle = GRID_COLOUR;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(m.left, Math.round(zeroY) + 0.5);
      ctx.lineTo(m.left + pw, Math.round(zeroY) + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // x ticks.
    const fmt = opts.xTickFormat || formatNumber;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const xTicks = linearTicks(xMin, xMax, Math.max(2, Math.floor(pw / 70)));
    for (const t of xTicks) {
      const xx = Math.round(X(t)) + 0.5;
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      ctx.moveTo(xx, m.top);
      ctx.lineTo(xx, m.top + ph);
      ctx.stroke();
      ctx.strokeStyle = AXIS_COLOUR;
      ctx.beginPath();
      ctx.moveTo(xx, zeroY);
      ctx.lineTo(xx, zeroY + 4);
      ctx.stroke();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(fmt(t), xx, zeroY + 6);
    }

    // Axes and their labels.
    ctx.strokeStyle = AXIS_COLOUR;
    ctx.beginPath();
    ctx.moveTo(m.left + 0.5, m.top);
    ctx.lineTo(m.left + 0.5, zeroY + 0.5);
    ctx.lineTo(m.left + pw, zeroY + 0.5);
    ctx.stroke();
    ctx.fillStyle = TEXT_COLOUR;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(this.xLabel, m.left + pw / 2, h - 1);
    ctx.save();
    ctx.translate(11, m.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(this.yLabel, 0, 0);
    ctx.restore();

    if (opts.decorateBelow) opts.decorateBelow(ctx, map);

    // Series (clipped to the plot area, the 0 line included).
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top - 6, pw + 6, zeroY - m.top + 12);
    ctx.clip();
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    for (const s of series) {
      if (s.len < 1) continue;
      ctx.globalAlpha = s.alpha ?? 1;
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = s.width ?? 2;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      let pen = false;
      for (let k = 0; k < s.len; k++) {
        const xv = s.x[k];
        const yv = s.y[k];
        if (!Number.isFinite(xv) || !Number.isFinite(yv)) {
          pen = false;
          continue;
        }
        const px = X(xv);
        const py = Y(yv);
        if (pen) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        pen = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.startDot) {
        ctx.fillStyle = "#fff";
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(X(s.x[0]), Y(s.y[0]), 3.5, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
      if (s.endDot) {
        const k = s.len - 1;
        if (s.diverged && Number.isFinite(s.x[k]) && Number.isFinite(s.y[k])) {
          // A diverged run ends with a cross.
          const x = X(s.x[k]);
          const y = Y(s.y[k]);
          ctx.lineWidth = 2.5;
          ctx.strokeStyle = s.colour;
          ctx.beginPath();
          ctx.moveTo(x - 5, y - 5);
          ctx.lineTo(x + 5, y + 5);
          ctx.moveTo(x + 5, y - 5);
          ctx.lineTo(x - 5, y + 5);
          ctx.stroke();
        } else if (Number.isFinite(s.x[k]) && Number.isFinite(s.y[k])) {
          ctx.fillStyle = s.colour;
          ctx.strokeStyle = "#fff";
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.arc(X(s.x[k]), Y(s.y[k]), 4.5, 0, 2 * Math.PI);
          ctx.fill();
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;
    if (opts.decorate) opts.decorate(ctx, map);
    ctx.restore();
  }
}
