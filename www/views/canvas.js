// Crisp canvases: the backing store follows the element's CSS size times devicePixelRatio,
// and drawing code works in CSS pixels.

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
  }
}

export const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const AXIS_COLOUR = "#555";
export const GRID_COLOUR = "#e6e6e6";
export const TEXT_COLOUR = "#333";
