// Line plots with a linear or log scale on either axis, many series, crisp at any
// devicePixelRatio.
//
// On a log y axis, values ≤ 0 (which it cannot show) are drawn on a separate "0" line under the
// axis; with `infBand`, +∞ (a diverged run) is drawn on a band above it. On a log x axis,
// points with x ≤ 0 are left out.

import { CanvasView, AXIS_COLOUR, FAINT_INK, GRID_COLOUR, HALO, LABEL_INK, PAPER, TEXT_COLOUR, font, textScale } from "./canvas.js";
import { decadeRange, formatNumber, formatPow10, linearTicks, logTicks } from "./axes.js";


/** Points of a line closer than this (CSS pixels, in x and in y) to the last one drawn are skipped. */
const MIN_STEP_PX = 0.5;

/**
 * @typedef {object} Series
 * @property {ArrayLike<number>} x
 * @property {ArrayLike<number>} y
 * @property {number} len         points to draw (x and y may be longer)
 * @property {string} colour
 * @property {number} [alpha]     1 by default
 * @property {number[]} [dash]
 * @property {number} [width]     line width, 2 by default
 * @property {boolean} [line]     draw the line (default true)
 * @property {"circle"|"square"} [marker] shape of the end dot and of point markers
 * @property {boolean} [points]   a marker at every point (× where y is +∞)
 * @property {boolean} [endDot]   a filled marker at the last point
 * @property {boolean} [startDot] a hollow dot at the first point
 * @property {boolean} [diverged] end with a cross instead of a dot
 * @property {string} [label]     a direct label at the line's end (overlapping labels are spread apart)
 */

/** Round axis ends and ticks around [min, max] for a linear axis. */
export function linearRange(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { lo: 0, hi: 1, ticks: [0, 0.5, 1] };
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const ticks = linearTicks(min, max, count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : max - min;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  return { lo, hi, ticks: linearTicks(lo, hi, count) };
}

/** Draws a marker of the given shape, filled with `fill`, outlined with `stroke`. */
export function drawMarker(ctx, shape, x, y, r, fill, stroke) {
  ctx.beginPath();
  if (shape === "square") ctx.rect(x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }
}

/** A dashed vertical line at pixel column x (snapped to the pixel grid) from y0 to y1. */
export function dashedVLine(ctx, x, y0, y1, colour, width, dash) {
  const px = Math.round(x) + 0.5;
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(px, y0);
  ctx.lineTo(px, y1);
  ctx.stroke();
  ctx.setLineDash([]);
  return px;
}

export function drawCross(ctx, x, y, r, colour, width = 2.5) {
  ctx.lineWidth = width;
  ctx.strokeStyle = colour;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x - r, y - r);
  ctx.lineTo(x + r, y + r);
  ctx.moveTo(x + r, y - r);
  ctx.lineTo(x - r, y + r);
  ctx.stroke();
}

/**
 * Direct labels at the lines' ends (each a dot in the line's colour and its name in dark ink):
 * left of the end if it is near the right edge, else right of it. Lines that end within a few pixels of each other (GD, momentum and Nesterov all stay near
 * test error 1) share one row, "GD, Momentum, Nesterov", each name in its line's colour, at their
 * height; the rows are then spread vertically so that no two overlap. (Pushed apart one by one,
 * three labels ending together put the last one 24 px away, beside another line.)
 * Returns the rows drawn: [{y, labels, values, xs}] (the lines' last values; the captions say
 * which lines end together).
 */
export function drawEndLabels(ctx, ends, left, right, top, bottom) {
  if (!ends.length) return [];
  const gap = Math.round(12 * textScale());
  const same = 5;
  ctx.font = font();
  ctx.textBaseline = "middle";
  const sorted = [...ends].sort((a, b) => a.y - b.y);
  const rows = [];
  for (const e of sorted) {
    const row = rows[rows.length - 1];
    if (row && e.y - row.parts[0].y <= same && Math.abs(e.x - row.parts[0].x) <= same) row.parts.push(e);
    else rows.push({ parts: [e] });
  }
  const sep = ", ";
  const sepW = ctx.measureText(sep).width;
  // Each name in dark ink (a run's own colour can be 2.3:1 on white), after a dot in its colour.
  const mark = Math.round(10 * textScale());
  for (const r of rows) {
    r.ly = r.parts.reduce((a, e) => a + e.y, 0) / r.parts.length;
    r.x = Math.max(...r.parts.map((e) => e.x));
    r.widths = r.parts.map((e) => mark + ctx.measureText(e.label).width);
    r.w = r.widths.reduce((a, w) => a + w, 0) + sepW * (r.parts.length - 1);
  }
  for (let k = 1; k < rows.length; k++) {
    if (rows[k].ly - rows[k - 1].ly < gap) rows[k].ly = rows[k - 1].ly + gap;
  }
  const over = rows[rows.length - 1].ly - (bottom - 4);
  if (over > 0) for (const r of rows) r.ly = Math.max(top + 4, r.ly - over);
  ctx.textAlign = "left";
  ctx.lineWidth = 3;
  for (const r of rows) {
    const toLeft = r.x + 8 + r.w > right;
    let lx = toLeft ? Math.max(left, r.x - 8 - r.w) : r.x + 8;
    r.parts.forEach((e, i) => {
      const text = i < r.parts.length - 1 ? e.label + sep : e.label;
      ctx.lineWidth = 1;
      drawMarker(ctx, "circle", lx + mark * 0.4, r.ly, mark * 0.3, e.colour, PAPER);
      ctx.lineWidth = 3;
      ctx.strokeStyle = HALO;
      ctx.strokeText(text, lx + mark, r.ly);
      ctx.fillStyle = LABEL_INK;
      ctx.fillText(text, lx + mark, r.ly);
      lx += r.widths[i] + (i < r.parts.length - 1 ? sepW : 0);
    });
  }
  return rows.map((r) => ({ y: r.ly, labels: r.parts.map((e) => e.label), values: r.parts.map((e) => e.value), xs: r.parts.map((e) => e.xValue) }));
}

export class LinePlot {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{xLabel: string, yLabel: string, xLog?: boolean, yLog?: boolean, zeroBand?: boolean,
   *          infBand?: string, maxDecades?: number}} opts
   *   zeroBand: show values ≤ 0 on a "0" band below a log y axis (otherwise a log axis leaves them out: it has no 0);
   *   infBand: a label for +∞ values, drawn on a band above the plot (e.g. "diverged")
   */
  constructor(canvas, { xLabel, yLabel, xLog = false, yLog = true, zeroBand = false, infBand = "", maxDecades = 10 }) {
    this.view = new CanvasView(canvas);
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.xLog = xLog;
    this.yLog = yLog;
    this.zeroBand = zeroBand;
    this.infBand = infBand;
    this.maxDecades = maxDecades;
    this.last = null;
    this.endRows = []; // the end labels' rows last drawn (drawEndLabels)
    this.view.onResize = () => this.last && this.draw(...this.last);
  }

  /** Changes labels or scales (the next draw uses them). */
  setAxes({ xLabel, yLabel, xLog, yLog, zeroBand }) {
    if (xLabel !== undefined) this.xLabel = xLabel;
    if (yLabel !== undefined) this.yLabel = yLabel;
    if (xLog !== undefined) this.xLog = xLog;
    if (yLog !== undefined) this.yLog = yLog;
    if (zeroBand !== undefined) this.zeroBand = zeroBand;
  }

  /**
   * @param {Series[]} series
   * @param {{xMin?: number, xMax?: number, yHint?: number[], xTickFormat?: (v:number)=>string,
   *          decorate?: (ctx: CanvasRenderingContext2D, map: object) => void,
   *          decorateBelow?: (ctx: CanvasRenderingContext2D, map: object) => void,
   *          empty?: string}} opts
   *   xMin/xMax: the x range (linear x; on a log x axis they only widen the data's decades)
   *   empty: a message drawn when no series has a point
   */
  draw(series, opts = {}) {
    this.last = [series, opts];
    if (!this.view.observed) return; // drawn when first measured (onResize)
    const { xLog, yLog } = this;
    // Data ranges.
    let yMinPos = Infinity;
    let yMaxPos = 0;
    let yMin = Infinity;
    let yMax = -Infinity;
    let xMinPos = Infinity;
    let xMaxPos = 0;
    let xMinAll = Infinity;
    let xMaxAll = -Infinity;
    let hasZero = yLog && this.zeroBand;
    // A log axis has no 0: without the band, values ≤ 0 are left out (train error 0 at the start, say).
    const dropZero = yLog && !this.zeroBand;
    let hasInf = false;
    let points = 0;
    for (const s of series) {
      for (let k = 0; k < s.len; k++) {
        const xv = s.x[k];
        const v = s.y[k];
        if (!Number.isFinite(xv) || (xLog && !(xv > 0)) || v !== v) continue;
        if (v === Infinity) {
          if (this.infBand) hasInf = true;
          continue;
        }
        if (!Number.isFinite(v) || (dropZero && !(v > 0))) continue;
        points++;
        if (xv > 0) {
          if (xv < xMinPos) xMinPos = xv;
          if (xv > xMaxPos) xMaxPos = xv;
        }
        if (xv < xMinAll) xMinAll = xv;
        if (xv > xMaxAll) xMaxAll = xv;
        if (v > 0) {
          if (v < yMinPos) yMinPos = v;
          if (v > yMaxPos) yMaxPos = v;
        } else if (yLog) hasZero = true;
        if (v < yMin) yMin = v;
        if (v > yMax) yMax = v;
      }
    }
    for (const v of opts.yHint || []) {
      if (!Number.isFinite(v)) continue;
      if (v > 0 && v < yMinPos) yMinPos = v;
      if (v > yMaxPos) yMaxPos = v;
      if (v < yMin) yMin = v;
      if (v > yMax) yMax = v;
    }

    let ylo;
    let yhi;
    let yTicks = null;
    if (yLog) {
      ({ lo: ylo, hi: yhi } = decadeRange(yMinPos, yMaxPos, this.maxDecades));
    } else {
      const r = linearRange(yMin === Infinity ? 0 : yMin, yMax === -Infinity ? 1 : yMax, 5);
      ylo = r.lo;
      yhi = r.hi;
      yTicks = r.ticks;
    }
    let xlo;
    let xhi;
    if (xLog) {
      let minP = xMinPos;
      let maxP = xMaxPos;
      if (opts.xMin > 0 && opts.xMin < minP) minP = opts.xMin;
      if (opts.xMax > 0 && opts.xMax > maxP) maxP = opts.xMax;
      ({ lo: xlo, hi: xhi } = decadeRange(minP, maxP, 16));
    } else {
      xlo = opts.xMin ?? (xMinAll === Infinity ? 0 : xMinAll);
      xhi = opts.xMax ?? (xMaxAll === -Infinity ? 1 : xMaxAll);
      if (!(xhi > xlo)) xhi = xlo + 1;
    }

    const ctx = this.view.begin();
    const { width: w, height: h } = this.view;
    // Room on the left for the widest y label (long ones like "−1.00×10⁻⁵"), the axis title beside them.
    const k = textScale(); // margins grow with the text
    ctx.font = font();
    let labelWidth = 0;
    if (!yLog) {
      for (const t of yTicks) if (t >= ylo - 1e-12 && t <= yhi + 1e-12) labelWidth = Math.max(labelWidth, ctx.measureText(formatNumber(t)).width);
    }
    const m = { left: Math.round(Math.max(58 * k, labelWidth + 26 * k)), right: 14, top: 10, bottom: Math.round(36 * k) };
    const zeroGap = hasZero ? Math.round(16 * k) : 0;
    const infGap = hasInf ? Math.round(18 * k) : 0;
    const pw = Math.max(10, w - m.left - m.right);
    const ph = Math.max(10, h - m.top - m.bottom - zeroGap - infGap);
    const top = m.top + infGap;
    const X = xLog
      ? (v) => m.left + (pw * (Math.log10(v) - xlo)) / (xhi - xlo)
      : (v) => m.left + (pw * (v - xlo)) / (xhi - xlo);
    const zeroY = top + ph + zeroGap;
    const infY = m.top + 4;
    const Y = yLog
      ? (v) => {
        if (v === Infinity) return infY;
        if (!(v > 0)) return zeroY;
        const t = (Math.log10(v) - ylo) / (yhi - ylo);
        return top + ph * (1 - (t < 0 ? 0 : t));
      }
      : (v) => (v === Infinity ? infY : top + ph * (1 - (v - ylo) / (yhi - ylo)));
    const bottom = top + ph;
    const axisY = yLog ? zeroY : bottom;
    const map = { X, Y, left: m.left, top, right: m.left + pw, bottom, zeroY: axisY, infY, hasZero, hasInf, lo: ylo, hi: yhi };
    this.lastMap = map; // for tooltips (www/controllers/tooltips.js)

    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";

    // y grid and ticks.
    const hline = (yy, label) => {
      yy = Math.round(yy) + 0.5;
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      ctx.moveTo(m.left, yy);
      ctx.lineTo(m.left + pw, yy);
      ctx.stroke();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(label, m.left - 5, yy);
    };
    if (yLog) {
      const { majors, minors } = logTicks(ylo, yhi, ph > 180 ? 8 : 5);
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      for (const k of minors) {
        const yy = Math.round(Y(10 ** k)) + 0.5;
        ctx.moveTo(m.left, yy);
        ctx.lineTo(m.left + 4, yy);
      }
      ctx.stroke();
      for (const k of majors) hline(Y(10 ** k), formatPow10(k));
    } else {
      for (const t of yTicks) if (t >= ylo - 1e-12 && t <= yhi + 1e-12) hline(Y(t), formatNumber(t));
    }
    const dashedBand = (yy, label) => {
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(label, m.left - 5, yy);
      ctx.strokeStyle = GRID_COLOUR;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(m.left, Math.round(yy) + 0.5);
      ctx.lineTo(m.left + pw, Math.round(yy) + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
    };
    if (hasZero) dashedBand(zeroY, "0");
    if (hasInf) dashedBand(infY, this.infBand);

    // x ticks.
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const vline = (xx, label) => {
      xx = Math.round(xx) + 0.5;
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      ctx.moveTo(xx, top);
      ctx.lineTo(xx, bottom);
      ctx.stroke();
      ctx.strokeStyle = AXIS_COLOUR;
      ctx.beginPath();
      ctx.moveTo(xx, axisY);
      ctx.lineTo(xx, axisY + 4);
      ctx.stroke();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(label, xx, axisY + 6);
    };
    if (xLog) {
      const { majors } = logTicks(xlo, xhi, Math.max(3, Math.floor(pw / (45 * k))));
      for (const k of majors) vline(X(10 ** k), formatPow10(k));
    } else {
      const fmt = opts.xTickFormat || formatNumber;
      for (const t of linearTicks(xlo, xhi, Math.max(2, Math.floor(pw / (70 * k))))) vline(X(t), fmt(t));
    }

    // Axes and their labels.
    ctx.strokeStyle = AXIS_COLOUR;
    ctx.beginPath();
    ctx.moveTo(m.left + 0.5, top);
    ctx.lineTo(m.left + 0.5, axisY + 0.5);
    ctx.lineTo(m.left + pw, axisY + 0.5);
    ctx.stroke();
    ctx.fillStyle = TEXT_COLOUR;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(this.xLabel, m.left + pw / 2, h - 1);
    ctx.save();
    ctx.translate(Math.round(11 * k), top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(this.yLabel, 0, 0);
    ctx.restore();

    if (opts.decorateBelow) opts.decorateBelow(ctx, map);

    // Series (clipped to the plot area, the bands included).
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top - 6, pw + 8, axisY - m.top + 12);
    ctx.clip();
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    const ok = (xv, yv) => Number.isFinite(xv) && (!xLog || xv > 0) && yv === yv && (yv !== Infinity || hasInf) && yv !== -Infinity && !(dropZero && !(yv > 0));
    const ends = [];
    for (const s of series) {
      if (s.len < 1) continue;
      ctx.globalAlpha = s.alpha ?? 1;
      if (s.line !== false) {
        ctx.strokeStyle = s.colour;
        ctx.lineWidth = s.width ?? 2;
        ctx.setLineDash(s.dash || []);
        ctx.beginPath();
        tracePath(ctx, s, X, Y, ok);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (s.points) {
        for (let k = 0; k < s.len; k++) {
          const xv = s.x[k];
          const yv = s.y[k];
          if (!ok(xv, yv)) continue;
          if (yv === Infinity) drawCross(ctx, X(xv), Y(yv), 4, s.colour, 2);
          else {
            ctx.lineWidth = 1;
            drawMarker(ctx, s.marker, X(xv), Y(yv), 3, s.colour, PAPER);
          }
        }
      }
      if (s.startDot && ok(s.x[0], s.y[0])) {
        ctx.lineWidth = 1.5;
        drawMarker(ctx, "circle", X(s.x[0]), Y(s.y[0]), 3.5, "#fff", s.colour);
      }
      if (s.endDot) {
        // The newest finite point.
        let k = s.len - 1;
        while (k > 0 && !ok(s.x[k], s.y[k])) k--;
        if (ok(s.x[k], s.y[k])) {
          const x = X(s.x[k]);
          const y = Y(s.y[k]);
          if (s.label) ends.push({ x, y, label: s.label, colour: s.colour, value: s.y[k], xValue: s.x[k] });
          if (s.diverged) drawCross(ctx, x, y, 5, s.colour);
          else {
            ctx.lineWidth = 1.5;
            drawMarker(ctx, s.marker, x, y, 4.5, s.colour, PAPER);
          }
        }
      }
    }
    ctx.globalAlpha = 1;
    if (opts.decorate) opts.decorate(ctx, map);
    ctx.restore();
    this.endRows = drawEndLabels(ctx, ends, m.left, m.left + pw, m.top, axisY);
    if (points === 0 && !hasInf && opts.empty) {
      ctx.fillStyle = FAINT_INK;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(opts.empty, m.left + pw / 2, top + ph / 2);
    }
  }
}

/**
 * Adds series `s`'s line to `ctx`'s path: x = X(s.x[k]), y = Y(s.y[k]) for k < s.len, broken
 * where `ok(x value, y value)` is false. A point within MIN_STEP_PX of the last one drawn (in x
 * and in y) adds nothing one can see and is left out: a run has up to thousands of points on a
 * plot a few hundred pixels wide, and the browser strokes every segment (with round joins and
 * dashes); this halves the page's drawing time. A piece's last point is always drawn.
 */
export function tracePath(ctx, s, X, Y, ok) {
  let pen = false;
  let lx = 0;
  let ly = 0;
  for (let k = 0; k < s.len; k++) {
    const xv = s.x[k];
    const yv = s.y[k];
    if (!ok(xv, yv)) {
      pen = false;
      continue;
    }
    const px = X(xv);
    const py = Y(yv);
    if (pen) {
      const last = k === s.len - 1 || !ok(s.x[k + 1], s.y[k + 1]);
      if (!last && Math.abs(px - lx) < MIN_STEP_PX && Math.abs(py - ly) < MIN_STEP_PX) continue;
      ctx.lineTo(px, py);
    } else ctx.moveTo(px, py);
    lx = px;
    ly = py;
    pen = true;
  }
}

/** The former name: a linear x axis and a log y axis. */
export class LogPlot extends LinePlot {
  constructor(canvas, opts) {
    super(canvas, { ...opts, xLog: false, yLog: true });
  }
}
