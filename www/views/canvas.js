// Crisp canvases: the backing store follows the element's CSS size times devicePixelRatio,
// and drawing code works in CSS pixels. Their text follows the page's font size (font()).

export class CanvasView {
  /** @param {HTMLCanvasElement} canvas sized by CSS (width, and height or aspect-ratio). */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.width = 0; // CSS px
    this.height = 0;
    this.dpr = 1;
    this.onResize = null; // set by the owner to redraw when the size changes
    // Not measured here: getBoundingClientRect forces a layout, and the page builds many views
    // one after another (a layout of the whole page for each one: 80 ms of a 700 ms first frame
    // on a slow machine). The observer's first callback, which comes after the layout and
    // before the first paint, measures and redraws. Until then (`observed` false) a view's draw
    // only keeps what to draw, without begin(): drawing at the canvas's default size would be
    // replaced before it is ever painted (at load, about 25 canvases). A canvas that is not
    // rendered (display: none) is first observed when it is shown.
    this.observed = false;
    this.observer = new ResizeObserver(() => {
      this.observed = true;
      if (this.measure() && this.onResize) this.onResize();
    });
    this.observer.observe(canvas);
    watchRootFont();
    watchScheme();
    views.add(this);
  }

  /** Matches the backing store to the CSS box; returns true if it changed. */
  measure() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (w === this.width && h === this.height && dpr === this.dpr) return false;
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    return true;
  }

  /**
   * Clears the canvas and returns a context that draws in CSS pixels. It does not measure the
   * canvas (getBoundingClientRect forces a layout, and a frame draws many canvases between DOM
   * writes): the ResizeObserver keeps the size, and measures once more if none was taken yet.
   * Call it only once observed (views wait for the observer's first callback).
   */
  begin() {
    if (this.width <= 1 || this.height <= 1) this.measure();
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    return ctx;
  }

  destroy() {
    this.observer.disconnect();
    views.delete(this);
  }
}

const FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Canvas text, in rem: it follows the page's font size (12 px at the browsers' default 16 px). */
export const FONT_REM = 0.75;
/** The size the plots' margins were first laid out for (11 px): textScale() is relative to it. */
const BASE_PX = 11;

// The root font size in CSS pixels, from a probe 1 rem wide: a ResizeObserver (no forced
// layout) reports it before the first paint and whenever the reader changes it; the canvases
// drawn so far are redrawn then.
let rootPx = 16;
const views = new Set();
function watchRootFont() {
  if (watchRootFont.probe || typeof document === "undefined" || !document.body) return;
  const probe = document.createElement("div");
  probe.setAttribute("aria-hidden", "true");
  probe.style.cssText = "position:absolute;left:0;top:0;width:1rem;height:0;visibility:hidden;pointer-events:none";
  document.body.append(probe);
  watchRootFont.probe = probe;
  new ResizeObserver((entries) => {
    const px = entries[entries.length - 1].contentRect.width;
    if (!(px > 0) || px === rootPx) return;
    rootPx = px;
    for (const v of views) if (v.observed && v.onResize) v.onResize();
  }).observe(probe);
}

/** The canvases' text size in CSS pixels now. */
export function fontPx() {
  return FONT_REM * rootPx;
}

/** The canvases' font now, `scale` times the text size. */
export function font(scale = 1) {
  return `${(fontPx() * scale).toFixed(1)}px ${FAMILY}`;
}

/** Text size over the 11 px the margins were laid out for: margins and gaps grow with it. */
export function textScale() {
  return fontPx() / BASE_PX;
}
// The canvases' inks, for the page's colour scheme (prefers-color-scheme): read when drawn, so a
// change of scheme redraws every canvas in its colours. Text keeps at least 7:1 on the page's
// background in both (#333 on white; #d4d6da on the dark panels, #1f1f22).
const INKS = {
  light: { axis: "#555", grid: "#e6e6e6", text: "#333", label: "#1d1d1f", halo: "rgba(255,255,255,0.85)", paper: "#fff", mark: "#111", faint: "#6b6b6b" },
  dark: { axis: "#a8abb0", grid: "#34363b", text: "#d4d6da", label: "#ececee", halo: "rgba(31,31,34,0.85)", paper: "#1f1f22", mark: "#f0f0f2", faint: "#a0a4aa" },
};
export let AXIS_COLOUR = INKS.light.axis;
export let GRID_COLOUR = INKS.light.grid;
export let TEXT_COLOUR = INKS.light.text;
/** The lines' names at their ends (15:1 on the background); the run's colour is in the dot before. */
export let LABEL_INK = INKS.light.label;
/** Behind text drawn over lines: the background, nearly opaque. */
export let HALO = INKS.light.halo;
/** The background's own colour (a marker's rim). */
export let PAPER = INKS.light.paper;
/** Marks and their words (W*'s star, "start", W*'s singular values). */
export let MARK_INK = INKS.light.mark;
/** A plot's note when it has nothing to draw. */
export let FAINT_INK = INKS.light.faint;

function useScheme(dark) {
  const ink = dark ? INKS.dark : INKS.light;
  ({ axis: AXIS_COLOUR, grid: GRID_COLOUR, text: TEXT_COLOUR, label: LABEL_INK, halo: HALO, paper: PAPER, mark: MARK_INK, faint: FAINT_INK } = ink);
}

/** Follows prefers-color-scheme, redrawing the canvases drawn so far when it changes. */
function watchScheme() {
  if (watchScheme.query || typeof matchMedia !== "function") return;
  watchScheme.query = matchMedia("(prefers-color-scheme: dark)");
  useScheme(watchScheme.query.matches);
  watchScheme.query.addEventListener("change", (e) => {
    useScheme(e.matches);
    for (const v of views) if (v.observed && v.onResize) v.onResize();
  });
}
