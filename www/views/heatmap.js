// A matrix as a heatmap: a canvas of cols × rows pixels, scaled up by CSS with
// `image-rendering: pixelated`, filled from the precomputed colour table with one putImageData
// per draw. Two overlay canvases, drawn once per problem: one hatches the cells whose W* entry
// is unknown (uploaded data with gaps; always shown), one marks the observed entries with dots
// (shown on request).
//
// Colour scale: symmetric around 0 and fixed per problem (±scale, scale = max |entry| of W*),
// so every panel is comparable. Values go through a signed square root, so that typical entries
// (a few times smaller than the largest) still get a visible colour; the colour bar shows the
// same mapping, with ticks.

import { DIVERGING, NAN_COLOUR, TABLE_SIZE, packRgb } from "../colormap.js";
import { CanvasView, TEXT_COLOUR, font, fontPx } from "./canvas.js";
import { formatNumber } from "./axes.js";

/** The widest (or tallest) a heatmap's box gets, as a ratio of its sides. */
export const MAX_STRETCH = 6;

/** Cells left out by setOnly (not observed). */
const OUTSIDE_COLOUR = packRgb(196, 196, 196);

/** Position in [0, 1] of value v on the colour scale ±scale (0.5 is 0), clamped. */
export function colourPosition(v, scale) {
  let u = v / scale;
  u = u > 1 ? 1 : u < -1 ? -1 : u;
  return 0.5 * (1 + (u < 0 ? -Math.sqrt(-u) : Math.sqrt(u)));
}

/** The shape of a rows × cols heatmap on the page: cols : rows, stretched to at most 1 : 6. */
function boxRatio(rows, cols) {
  return Math.min(MAX_STRETCH, Math.max(1 / MAX_STRETCH, cols / rows));
}

/**
 * The overlays' size in pixels and their cells' [width, height, cell width, cell height]: the
 * heatmap's shape on the page (so that dots stay round on thin matrices), about 480 pixels on
 * the long side (a panel's heatmap is drawn 150 to 250 CSS pixels wide, a PNG's 300), grown to
 * at least 4 pixels per cell (up to 1 600 pixels) for big matrices. Small canvases matter:
 * allocating them was most of their cost (720 pixels a side, 2.5 ms each, eight per page).
 */
export function overlaySize(rows, cols) {
  const ratio = boxRatio(rows, cols);
  const w = ratio >= 1 ? 480 : 480 * ratio;
  const h = ratio >= 1 ? 480 / ratio : 480;
  const grow = Math.min(Math.max(1, 4 / Math.min(w / cols, h / rows)), 1600 / Math.max(w, h));
  const width = Math.max(1, Math.round(w * grow));
  const height = Math.max(1, Math.round(h * grow));
  return [width, height, width / cols, height / rows];
}

/**
 * A dot's radius as a share of its cell: at the default size (30 × 30 in a panel about 165 CSS
 * pixels wide, cells of 5.5 px) a dot 3 px across in a white ring, seen from a few metres; the
 * cell's colour still shows around it.
 */
export const DOT_RADIUS = 0.28;

/** The observed-entry dots of a `rows × cols` mask on `ctx`, cells `cw` × `ch` pixels; returns their radius. */
function drawDots(ctx, rows, cols, cw, ch, mask) {
  const cell = Math.min(cw, ch);
  const r = Math.max(1, cell * DOT_RADIUS);
  ctx.fillStyle = "rgba(20,20,20,0.9)";
  ctx.strokeStyle = "rgba(255,255,255,0.95)";
  ctx.lineWidth = Math.max(0.75, cell * 0.09);
  ctx.beginPath();
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (!mask[i * cols + j]) continue;
      const x = (j + 0.5) * cw;
      const y = (i + 0.5) * ch;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }
  ctx.stroke();
  ctx.fill();
  return r;
}

export class Heatmap {
  /**
   * @param {HTMLElement} parent where the heatmap goes
   * @param {{label: string, testid?: string}} opts label is the canvas's accessible name
   */
  constructor(parent, { label, testid = "heatmap" }) {
    this.box = document.createElement("div");
    this.box.className = "heatmap";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "heatmap-cells";
    this.canvas.dataset.testid = testid;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", label);
    this.hatch = document.createElement("canvas");
    this.hatch.className = "heatmap-overlay heatmap-hatch";
    this.hatch.setAttribute("aria-hidden", "true");
    this.overlay = document.createElement("canvas");
    this.overlay.className = "heatmap-overlay";
    this.overlay.setAttribute("aria-hidden", "true");
    this.box.append(this.canvas, this.hatch, this.overlay);
    parent.append(this.box);
    this.ctx = this.canvas.getContext("2d");
    this.rows = 0;
    this.cols = 0;
    this.scale = 1;
    this.only = null;
  }

  /**
   * Draws only the cells where `mask` is 1 (the others in a neutral grey), e.g. Y, which exists
   * only on Ω; null draws every cell. Call after setProblem.
   */
  setOnly(mask) {
    this.only = mask;
  }

  /** New problem: size, colour scale (max |entry| of W*), and the observed mask (read once). */
  setProblem(rows, cols, scale, mask, known = null) {
    this.known = known && known.some((v) => !v) ? known : null;
    this.rows = rows;
    this.cols = cols;
    this.scale = scale > 0 && Number.isFinite(scale) ? scale : 1;
    this.canvas.width = cols;
    this.canvas.height = rows;
    // Thin matrices (1000 × 1) would be a hair-thin line: cap the stretch at 1 : 6.
    this.box.style.aspectRatio = String(boxRatio(rows, cols));
    this.image = this.ctx.createImageData(cols, rows);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.drawOverlay(mask);
  }

  /**
   * Hatches the unknown cells (known[k] = 0) on `ctx`, cells `cw` × `ch` pixels: W*'s entry
   * there is not known.
   */
  drawUnknown(ctx, cw, ch) {
    const { rows, cols, known } = this;
    if (!known) return;
    ctx.save();
    ctx.strokeStyle = "rgba(60,60,60,0.9)";
    ctx.lineWidth = Math.max(1, Math.min(cw, ch) * 0.08);
    ctx.beginPath();
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (known[i * cols + j]) continue;
        const x = j * cw;
        const y = i * ch;
        for (const f of [0.25, 0.5, 0.75, 1]) {
          ctx.moveTo(x, y + f * ch);
          ctx.lineTo(x + f * cw, y);
        }
        for (const f of [0.25, 0.5, 0.75]) {
          ctx.moveTo(x + f * cw, y + ch);
          ctx.lineTo(x + cw, y + f * ch);
        }
      }
    }
    ctx.stroke();
    ctx.restore();
  }

  drawOverlay(mask) {
    const { rows, cols } = this;
    const [width, height, cw, ch] = overlaySize(rows, cols);
    // The hatching has a canvas of its own (1 × 1 and hidden when every entry is known), so that
    // it stays when the dots are hidden.
    this.hatch.hidden = !this.known;
    this.hatch.width = this.known ? width : 1;
    this.hatch.height = this.known ? height : 1;
    if (this.known) this.drawUnknown(this.hatch.getContext("2d"), cw, ch);
    // Setting a canvas's size clears it (a 1 × 1 canvas when there are no dots to draw).
    this.overlay.width = mask ? width : 1;
    this.overlay.height = mask ? height : 1;
    // The dots' radius in the overlay's pixels (its CSS size over its width gives it on screen).
    this.overlay.dataset.dotRadius = mask ? String(drawDots(this.overlay.getContext("2d"), rows, cols, cw, ch, mask)) : "";
  }

  /** Shows or hides the observed-entry dots (the hatching of unknown cells stays). */
  setOverlayVisible(on) {
    this.overlay.hidden = !on;
  }

  /** The overlay canvases shown now, bottom first (for a PNG export). */
  visibleOverlays() {
    return [this.hatch, this.overlay].filter((c) => !c.hidden);
  }

  /** Draws m·n values, row-major (a view straight over wasm memory is fine: it is only read). */
  draw(values) {
    if (!this.pixels || !values || values.length < this.rows * this.cols) return;
    const px = this.pixels;
    const s = this.scale;
    const top = TABLE_SIZE - 1;
    const only = this.only;
    const known = this.known;
    for (let k = 0, n = this.rows * this.cols; k < n; k++) {
      if ((only && !only[k]) || (known && !known[k])) {
        px[k] = OUTSIDE_COLOUR;
        continue;
      }
      const v = values[k];
      if (v !== v || v === Infinity || v === -Infinity) {
        px[k] = NAN_COLOUR;
        continue;
      }
      let u = v / s;
      u = u > 1 ? 1 : u < -1 ? -1 : u;
      px[k] = DIVERGING[Math.round((1 + (u < 0 ? -Math.sqrt(-u) : Math.sqrt(u))) * 0.5 * top)];
    }
    this.ctx.putImageData(this.image, 0, 0);
  }
}

/** A small horizontal colour bar: −scale … 0 … +scale, on the heatmaps' mapping. */
export class ColourBar {
  constructor(parent) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "colourbar";
    this.canvas.setAttribute("role", "img");
    parent.append(this.canvas);
    this.view = new CanvasView(this.canvas);
    this.view.onResize = () => this.draw();
    this.scale = 1;
  }

  /** Stops watching the canvas's size (call when the panel goes away). */
  destroy() {
    this.view.destroy();
  }

  setScale(scale) {
    this.scale = scale;
    this.canvas.setAttribute(
      "aria-label",
      `Colour scale: blue is −${formatNumber(scale)}, white is 0, red is +${formatNumber(scale)}`,
    );
    this.draw();
  }

  draw() {
    if (!this.view.observed) return; // drawn when first measured (onResize)
    const ctx = this.view.begin();
    this.paint(ctx, this.view.width, this.view.height);
  }

  /**
   * The colour bar alone on white, `width` device pixels wide at `ratio` device pixels per CSS
   * pixel (for a PNG export).
   */
  image(width, ratio) {
    const c = document.createElement("canvas");
    c.width = Math.max(1, Math.round(width));
    const h = Math.max(26, Math.round(14 + fontPx()));
    c.height = Math.round(h * ratio);
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.scale(ratio, ratio);
    this.paint(ctx, c.width / ratio, h);
    return c;
  }

  /** Draws the bar and its ticks on `ctx` in a w × h (CSS pixel) area. */
  paint(ctx, w, h) {
    const barH = Math.min(7, h * 0.4);
    const pad = 1;
    const n = DIVERGING.css.length;
    for (let k = 0; k < n; k++) {
      ctx.fillStyle = DIVERGING.css[k];
      const x0 = pad + ((w - 2 * pad) * k) / n;
      ctx.fillRect(x0, 0, (w - 2 * pad) / n + 0.6, barH);
    }
    ctx.strokeStyle = "rgba(0,0,0,0.25)";
    ctx.lineWidth = 1;
    ctx.strokeRect(pad + 0.5, 0.5, w - 2 * pad - 1, barH - 1);

    ctx.font = font();
    ctx.fillStyle = TEXT_COLOUR;
    ctx.textBaseline = "top";
    const s = formatNumber(this.scale);
    const end = `+${s}`;
    const endW = ctx.measureText(end).width;
    ctx.textAlign = "left";
    ctx.fillText(`−${s}`, 0, barH + 2);
    ctx.textAlign = "right";
    ctx.fillText(end, w, barH + 2);
    const at = (v) => pad + (w - 2 * pad) * colourPosition(v, this.scale);
    const inner = innerTick(this.scale);
    const marks = inner ? [0, -inner, inner] : [0];
    ctx.textAlign = "center";
    ctx.strokeStyle = "rgba(0,0,0,0.55)";
    for (const v of marks) {
      const x = Math.round(at(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, barH - 3);
      ctx.lineTo(x, barH + 1);
      ctx.stroke();
      const text = v === 0 ? "0" : v < 0 ? `−${formatNumber(-v)}` : `+${formatNumber(v)}`;
      const tw = ctx.measureText(text).width;
      // Inner labels only where they collide with no other label.
      const room =
        v === 0 ||
        (Math.abs(x - w / 2) > tw / 2 + 8 && x - tw / 2 > endW + 4 && x + tw / 2 < w - endW - 4);
      if (room) ctx.fillText(text, x, barH + 2);
    }
  }
}

/** A round value well inside (0, scale) to mark on the colour bar, e.g. 1 for a scale of 7. */
function innerTick(scale) {
  const target = scale / 6;
  if (!(target > 0)) return 0;
  const mag = 10 ** Math.floor(Math.log10(target));
  const v = [1, 2, 5, 10].map((f) => f * mag).find((x) => x >= target) ?? 10 * mag;
  return v < scale * 0.7 ? v : 0;
}
