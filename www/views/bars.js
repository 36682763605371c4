// Singular values as a bar chart on a log scale, with W*'s singular values as ticks to aim at.

import { CanvasView, AXIS_COLOUR, GRID_COLOUR, MARK_INK, TEXT_COLOUR, font, textScale } from "./canvas.js";
import { formatPow10, logTicks } from "./axes.js";

export class SingularValueBars {
  /**
   * @param {HTMLElement} parent
   * @param {{colour: string, label: string}} opts bar colour and accessible name
   */
  constructor(parent, { colour, label }) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "bars";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", label);
    parent.append(this.canvas);
    this.view = new CanvasView(this.canvas);
    this.view.onResize = () => this.values && this.draw(this.values);
    this.colour = colour;
    this.truth = null;
    this.lo = -4;
    this.hi = 1;
    this.values = null;
  }

  /** Stops watching the canvas's size (call when the panel goes away). */
  destroy() {
    this.view.destroy();
  }

  /** Fixes the decade range for a problem from W*'s singular values (a copy is kept). */
  setProblem(truth) {
    this.truth = Float64Array.from(truth);
    const top = this.truth.length && this.truth[0] > 0 ? this.truth[0] : 1;
    this.hi = Math.ceil(Math.log10(top * 1.5));
    this.lo = this.hi - 6;
  }

  setColour(colour) {
    this.colour = colour;
  }

  /** @param {Float64Array} values singular values, descending */
  draw(values) {
    this.values = values;
    // Grow (never shrink) the top so that large values stay visible; range is per problem.
    const max = values.length ? values[0] : 0;
    if (Number.isFinite(max) && max > 10 ** this.hi) {
      const hi = Math.ceil(Math.log10(max));
      this.lo += hi - this.hi;
      this.hi = hi;
    }
    if (!this.view.observed) return; // drawn when first measured (onResize)
    const ctx = this.view.begin();
    const { width: w, height: h } = this.view;
    const k = textScale(); // the labels' room grows with the text
    const left = Math.round(34 * k);
    this.left = left; // for the tooltips
    const right = 4;
    const top = 4;
    const bottom = Math.round(14 * k);
    const pw = w - left - right;
    const ph = h - top - bottom;
    const { lo, hi } = this;
    const y = (v) => top + ph * (1 - (Math.log10(v) - lo) / (hi - lo));

    ctx.font = font();
    ctx.lineWidth = 1;
    const { majors } = logTicks(lo, hi, ph > 80 ? 7 : 4);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const k of majors) {
      const yy = Math.round(y(10 ** k)) + 0.5;
      ctx.strokeStyle = GRID_COLOUR;
      ctx.beginPath();
      ctx.moveTo(left, yy);
      ctx.lineTo(left + pw, yy);
      ctx.stroke();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(formatPow10(k), left - 4, yy);
    }

    const n = Math.max(values.length, this.truth ? this.truth.length : 0, 1);
    const slot = pw / n;
    const gap = slot > 4 ? Math.min(2, slot * 0.2) : 0;
    ctx.fillStyle = this.colour;
    const floorY = top + ph;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      const x = left + k * slot + gap / 2;
      const yy = v > 10 ** lo && Number.isFinite(v) ? Math.max(top, y(v)) : floorY - 1;
      ctx.fillRect(x, yy, Math.max(1, slot - gap), floorY - yy);
    }
    if (this.truth) {
      // W*'s singular values: short dark ticks (only those within range).
      ctx.strokeStyle = MARK_INK;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < this.truth.length; k++) {
        const v = this.truth[k];
        if (!(v > 10 ** lo)) continue;
        const yy = y(v);
        ctx.moveTo(left + k * slot - 1, yy);
        ctx.lineTo(left + (k + 1) * slot + 1, yy);
      }
      ctx.stroke();
    }

    ctx.strokeStyle = AXIS_COLOUR;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, floorY + 0.5);
    ctx.lineTo(left + pw, floorY + 0.5);
    ctx.stroke();
    ctx.fillStyle = TEXT_COLOUR;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText("1", left + 1, floorY + 2);
    ctx.textAlign = "right";
    ctx.fillText(String(n), left + pw, floorY + 2);
  }
}
