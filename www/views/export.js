// Exports, all made in the browser and downloaded through Blob URLs (same origin; nothing is
// uploaded): a PNG of any canvas, a CSV of every run's metric histories, a JSON of the config
// and the final matrices.

import { MAX_STRETCH } from "./heatmap.js";
import { MARK_INK, PAPER } from "./canvas.js";
import { HISTORY_METRICS } from "../schema.js";

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

/**
 * A PNG of a canvas as drawn, on white, with a title line above it and, for plots of several
 * runs, a legend line below (a line in each run's colour and dash, and its label), so that the
 * picture explains itself in a blog post. A plot's pixels are copied as they are; a heatmap
 * (one pixel per entry) is enlarged by whole factors, each entry a sharp rectangle (a square
 * unless the matrix is thinner than 1 : 6).
 * @param {HTMLCanvasElement} canvas
 * @param {string} title
 * @param {{label: string, colour: string, dash: number[]}[]} legend (empty: none)
 * @param {{overlays?: HTMLCanvasElement[], footer?: ((width: number, ratio: number) => HTMLCanvasElement)|null}} extras
 *   a heatmap's `overlays` (its hatching of unknown cells, its observed-entry dots), drawn over
 *   it at its size, in order; a `footer` (its
 *   colour bar) made `width` device pixels wide, drawn below it
 * @returns {HTMLCanvasElement}
 */
export function framedCanvas(canvas, title, legend = [], { overlays = [], footer = null } = {}) {
  const s = Math.max(1, canvas.clientWidth > 0 ? canvas.width / canvas.clientWidth : 1);
  // A heatmap (one pixel per entry) is enlarged to about 300 pixels on its long side, and, as on
  // the page, to no thinner than 1 : 6 (a 40 × 1 matrix is a column, not a hair).
  let [zx, zy] = [1, 1];
  if (canvas.width > 0 && canvas.height > 0 && canvas.width < 300 && canvas.height < 300) {
    zx = zy = Math.ceil(300 / Math.max(canvas.width, canvas.height));
    const k = MAX_STRETCH;
    if (k * canvas.width * zx < canvas.height * zy) zx = Math.ceil((canvas.height * zy) / (k * canvas.width));
    if (k * canvas.height * zy < canvas.width * zx) zy = Math.ceil((canvas.width * zx) / (k * canvas.height));
  }
  const [cw, ch] = [canvas.width * zx, canvas.height * zy];
  const pad = Math.round(8 * s);
  const line = Math.round(20 * s);
  const font = `${Math.round(13 * s)}px system-ui, sans-serif`;
  const out = document.createElement("canvas");
  const ctx = out.getContext("2d");
  ctx.font = font;
  // Legend entries flow left to right and wrap.
  const width = cw + 2 * pad;
  const rows = [];
  let x = 0;
  for (const item of legend) {
    const w = 28 * s + ctx.measureText(item.label).width + 16 * s;
    if (!rows.length || (x + w > width - 2 * pad && x > 0)) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push({ ...item, x });
    x += w;
  }
  // The title wraps between its " · " parts.
  const titleLines = [];
  for (const part of title.split(" · ")) {
    const last = titleLines.length - 1;
    const joined = last >= 0 ? `${titleLines[last]} · ${part}` : part;
    if (last >= 0 && ctx.measureText(joined).width <= width - 2 * pad) titleLines[last] = joined;
    else titleLines.push(part);
  }
  const head = titleLines.length * line;
  const foot = footer ? footer(cw, s) : null;
  const footH = foot ? foot.height + pad : 0;
  out.width = width;
  out.height = pad + head + ch + footH + rows.length * line + pad;
  // The page's background and ink (the canvas copied was drawn in the page's colour scheme).
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = font;
  ctx.fillStyle = MARK_INK;
  ctx.textBaseline = "middle";
  titleLines.forEach((t, k) => ctx.fillText(t, pad, pad + k * line + line / 2, width - 2 * pad));
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas, pad, pad + head, cw, ch);
  ctx.imageSmoothingEnabled = true;
  for (const o of overlays) ctx.drawImage(o, pad, pad + head, cw, ch);
  if (foot) ctx.drawImage(foot, pad, pad + head + ch + pad);
  rows.forEach((row, r) => {
    const y = pad + head + ch + footH + r * line + line / 2;
    for (const item of row) {
      ctx.strokeStyle = item.colour;
      ctx.lineWidth = 2.5 * s;
      ctx.setLineDash((item.dash || []).map((d) => d * s));
      ctx.beginPath();
      ctx.moveTo(pad + item.x, y);
      ctx.lineTo(pad + item.x + 22 * s, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(item.label, pad + item.x + 28 * s, y);
    }
  });
  return out;
}

/** A PNG of a canvas, framed by `framedCanvas` (with `extras`) when a title is given, downloaded. */
export function downloadCanvasPng(canvas, filename, title = "", legend = [], extras = {}) {
  const image = title ? framedCanvas(canvas, title, legend, extras) : canvas;
  image.toBlob((blob) => {
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
