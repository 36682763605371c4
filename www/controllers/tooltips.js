// Tooltips (hover, and tap on touch screens) over the heatmaps, the bars and the trajectory, and
// the help texts (title attributes) by keyboard: every one in reach of the keyboard, shown while
// its element has the focus; the arrow keys move in a panel's figures, and in a heatmap or a
// singular-value chart (one tab stop each) from value to value, with the pointer's tooltip.

import { formatFigure } from "../views/axes.js";
import { store } from "../store.js";
import { ui } from "./ui.js";

let tip;
let mark; // the keyboard cursor's ring on a figure (showCursor)
let tipOwner = null; // the focused element whose help text the tooltip shows (null: none)

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

function showTip(text, x, y) {
  tip.textContent = text;
  tip.hidden = false;
  const w = tip.offsetWidth;
  const left = Math.min(window.scrollX + document.documentElement.clientWidth - w - 4, x + 12);
  tip.style.left = `${Math.max(window.scrollX + 4, left)}px`;
  tip.style.top = `${y + 14}px`;
}

function hideTip() {
  if (tip) tip.hidden = true;
  if (mark) mark.hidden = true;
  if (tipOwner) {
    const ids = (tipOwner.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== tip.id);
    if (ids.length) tipOwner.setAttribute("aria-describedby", ids.join(" "));
    else tipOwner.removeAttribute("aria-describedby");
    tipOwner = null;
  }
}

/**
 * The help text of a focused element: its own title, its labels' titles, the title of the
 * element around it (a field's wrapper), and the titles inside it (a figure's value), in that order.
 */
function helpFor(el) {
  const texts = [el.title, ...[...(el.labels || [])].map((l) => l.title), el.parentElement?.closest("[title]")?.title,
    ...[...el.querySelectorAll("[title]")].map((e) => e.title)];
  return [...new Set(texts.filter(Boolean))].join(" ");
}

/** Places the tooltip (showing `text`) under `el`, or under its label if `el` is visually hidden. */
function placeHelp(el, text) {
  // A visually hidden control (a method chip's checkbox) shows it under its label.
  const shown = el.offsetWidth < 4 && el.labels?.length ? el.labels[0] : el;
  const r = shown.getBoundingClientRect();
  showTip(text, window.scrollX + r.left - 12, window.scrollY + r.bottom - 10);
}

/** Shows `el`'s help text under it and makes it `el`'s accessible description while `el` has the focus. */
function showHelp(el) {
  hideTip();
  const kind = keyedKind(el);
  if (kind) {
    showCursor(el, kind);
    return;
  }
  // A place focused only as a jump target (the skip link's) has no help of its own.
  if (el.tabIndex < 0 && !el.title) return;
  const text = helpFor(el);
  if (!text) return;
  placeHelp(el, text);
  describe(el);
}

/** The tooltip is `el`'s accessible description while `el` has the focus. */
function describe(el) {
  tipOwner = el;
  const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  el.setAttribute("aria-describedby", [...ids, tip.id].join(" "));
}

/**
 * Puts every element with a help text (title) in `root` that the keyboard cannot reach otherwise
 * in the tab order: not one that is focusable, holds a control or labels one (the control shows
 * the text), nor one inside another element with a help text (that one shows both).
 */
function focusableHelp(root) {
  const all = root.matches("[title]") ? [root, ...root.querySelectorAll("[title]")] : root.querySelectorAll("[title]");
  for (const el of all) {
    if (el.matches(FOCUSABLE) || el.querySelector(FOCUSABLE) || el.control || el.parentElement?.closest("[title]")) continue;
    // A panel's list of figures is one tab stop (its first row); the arrow keys move between rows.
    const group = el.parentElement?.matches(FIGURE_LIST) ? [...el.parentElement.children].filter((r) => r.title) : null;
    el.tabIndex = group && group.some((r) => r !== el && r.tabIndex === 0) ? -1 : 0;
  }
}

const FIGURE_LIST = "dl.figures";

// Figures by keyboard: each heatmap, each singular-value chart and the trajectory plot is one tab
// stop with a cursor (a heatmap's entry (i, j), a chart's σk, a run's point: up and down change
// the run, left and right move along its path); the arrow keys move it, Home and End to the row's
// ends, and the pointer's tooltip for that place shows under it and names the figure.
const cursors = new WeakMap(); // figure → [row, column]

/** The bars' geometry as barsText reads it: [the bars object, left margin, plot width, slots]. */
function barsLayout(canvas) {
  const panel = canvas.closest("article[data-index]");
  const bars = panel ? ui.runs[Number(panel.dataset.index)]?.bars : ui.views.truthBars;
  const left = bars?.left ?? 34;
  const n = Math.max(bars?.values?.length ?? 0, ui.views.truthBars?.truth?.length ?? 0, 1);
  return [bars, left, canvas.getBoundingClientRect().width - left - 4, n];
}

const KEYED = [
  {
    sel: ".heatmap",
    size: () => [store.rows, store.cols],
    at: (el, i, j, r) => [r.left + ((j + 0.5) / store.cols) * r.width, r.top + ((i + 0.5) / store.rows) * r.height],
    text: heatmapText,
  },
  {
    sel: "canvas.bars",
    size: (el) => [1, barsLayout(el)[0]?.values?.length ?? 0],
    at: (el, i, k, r) => {
      const [, left, pw, n] = barsLayout(el);
      return [r.left + left + ((k + 0.5) / n) * pw, r.top + r.height / 2];
    },
    text: barsText,
  },
  {
    // A run's path (row: the run, column: its recorded steps); the tooltip names the point nearest the cursor.
    sel: "#trajectory-plot",
    size: () => [ui.runs.length, Math.max(0, ...ui.runs.map((_, i) => store.stepper.history(i)?.len ?? 0))],
    at: (el, i, k, r) => {
      const map = ui.views.trajectory.plot.lastMap;
      const p = store.stepper.history(i);
      if (!map || !p?.len) return [r.left, r.top];
      const at = Math.min(k, p.len - 1);
      return [r.left + map.X(p.h.effective_rank[at]), r.top + map.Y(p.h.train_error[at])];
    },
    text: trajectoryText,
  },
];
const keyedKind = (el) => el instanceof Element && KEYED.find((k) => el.matches(k.sel));

function focusableFigures(root) {
  for (const kind of KEYED) {
    const els = root.matches(kind.sel) ? [root] : root.querySelectorAll(kind.sel);
    for (const el of els) {
      if (el.tabIndex === 0) continue;
      el.tabIndex = 0;
      if (!el.getAttribute("role")) el.setAttribute("role", "group");
      el.dataset.name = el.getAttribute("aria-label") ?? "";
      el.setAttribute("aria-roledescription", "figure: the arrow keys move from value to value");
    }
  }
}

/** The tooltip of the figure's cursor, under that place, and the figure's name with it. */
function showCursor(el, kind) {
  if (!store.lab) return;
  const [i, j] = cursors.get(el) ?? [0, 0];
  const r = el.getBoundingClientRect();
  const [x, y] = kind.at(el, i, j, r);
  const text = kind.text(el, { clientX: x, clientY: y });
  if (!text) return;
  el.setAttribute("aria-label", el.dataset.name ? `${el.dataset.name}: ${text}` : text);
  showTip(text, window.scrollX + x, window.scrollY + y);
  mark.style.left = `${window.scrollX + x}px`;
  mark.style.top = `${window.scrollY + y}px`;
  mark.hidden = false;
  tipOwner = el;
}

/** Arrow keys, Home and End in a focused figure: move its cursor. */
function moveInFigure(ev) {
  const kind = keyedKind(ev.target);
  if (!kind) return false;
  const el = ev.target;
  const [rows, cols] = kind.size(el);
  const [i, j] = cursors.get(el) ?? [0, 0];
  const to = { ArrowDown: [i + 1, j], ArrowUp: [i - 1, j], ArrowRight: [i, j + 1], ArrowLeft: [i, j - 1], Home: [i, 0], End: [i, cols - 1] }[ev.key];
  if (!to || !rows || !cols) return false;
  ev.preventDefault();
  cursors.set(el, [Math.min(rows - 1, Math.max(0, to[0])), Math.min(cols - 1, Math.max(0, to[1]))]);
  hideTip();
  showCursor(el, kind);
  return true;
}

/** Arrow keys, Home and End in a list of figures: focus another row (a roving tab stop). */
function moveInFigures(ev) {
  const row = ev.target;
  if (!(row instanceof Element) || !row.parentElement?.matches(FIGURE_LIST) || !row.title) return;
  const rows = [...row.parentElement.children].filter((r) => r.title && !r.hidden);
  const at = rows.indexOf(row);
  const to = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: rows.length - 1 }[ev.key];
  if (to === undefined || !rows[to] || rows[to] === row) return;
  ev.preventDefault();
  row.tabIndex = -1;
  rows[to].tabIndex = 0;
  rows[to].focus();
}

function fmt(v) {
  return Number.isFinite(v) ? formatFigure(v) : "n/a";
}

/** The text for a point over a heatmap box, or "". */
function heatmapText(box, ev) {
  const r = box.getBoundingClientRect();
  const j = Math.floor(((ev.clientX - r.left) / r.width) * store.cols);
  const i = Math.floor(((ev.clientY - r.top) / r.height) * store.rows);
  if (!(i >= 0 && j >= 0 && i < store.rows && j < store.cols)) return "";
  const k = i * store.cols + j;
  const known = store.known ? store.known[k] : 1;
  const truth = known ? fmt(store.truth[k]) : "unknown";
  const seen = store.mask[k] ? "observed" : "not observed";
  const panel = box.closest("article[data-index]");
  let value;
  if (panel) {
    const W = store.stepper.matrix(Number(panel.dataset.index));
    value = W ? W[k] : NaN;
  } else if (box.closest("#truth-y")) value = store.mask[k] ? store.observations[k] : NaN;
  else value = known ? store.truth[k] : NaN;
  return `(i, j) = (${i + 1}, ${j + 1}) · value ${fmt(value)} · truth ${truth} · ${seen}`;
}

function barsText(canvas, ev) {
  const [bars, left, pw, n] = barsLayout(canvas);
  const values = bars?.values;
  if (!values) return "";
  const r = canvas.getBoundingClientRect();
  const k = Math.floor(((ev.clientX - r.left - left) / pw) * n);
  if (!(k >= 0 && k < values.length)) return "";
  return `σ${k + 1} = ${fmt(values[k])}`;
}

function trajectoryText(canvas, ev) {
  const map = ui.views.trajectory.plot.lastMap;
  if (!map || !store.lab) return "";
  const r = canvas.getBoundingClientRect();
  const px = ev.clientX - r.left;
  const py = ev.clientY - r.top;
  let best = null;
  ui.runs.forEach((run, i) => {
    const p = store.stepper.history(i);
    if (!p || !p.len || !store.enabled[i]) return;
    const { step: s, effective_rank: e, train_error: t } = p.h;
    if (!s || !e || !t) return;
    for (let k = 0; k < p.len; k++) {
      const x = map.X(e[k]);
      const y = map.Y(t[k]);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (Number.isFinite(d) && (!best || d < best.d)) best = { d, i, step: s[k], e: e[k], t: t[k] };
    }
  });
  if (!best || best.d > 14 ** 2) return "";
  return `${ui.runs[best.i].label} · step ${best.step} · eff. rank ${fmt(best.e)} · train error ${fmt(best.t)}`;
}

function tipFor(ev) {
  const t = ev.target;
  if (!(t instanceof Element) || !store.lab) return "";
  const box = t.closest(".heatmap");
  if (box) return heatmapText(box, ev);
  if (t.matches("canvas.bars")) return barsText(t, ev);
  if (t.id === "trajectory-plot") return trajectoryText(t, ev);
  return "";
}

export function initTooltips() {
  tip = document.createElement("div");
  tip.id = "tooltip";
  tip.className = "tooltip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  mark = document.createElement("div");
  mark.className = "figure-cursor";
  mark.setAttribute("aria-hidden", "true");
  mark.hidden = true;
  document.body.append(tip, mark);
  // The pointer's tooltip (over a heatmap, the bars, the trajectory); a focused element's help
  // text stays until the focus moves or Escape.
  const pointerTip = (ev) => {
    const text = tipFor(ev);
    if (text) {
      hideTip();
      showTip(text, ev.pageX, ev.pageY);
    } else if (!tipOwner) hideTip();
  };
  document.addEventListener("pointermove", (ev) => {
    if (ev.pointerType !== "touch") pointerTip(ev);
  });
  document.addEventListener("pointerdown", (ev) => {
    if (ev.pointerType === "touch") pointerTip(ev);
  });
  document.addEventListener("pointerleave", () => tipOwner || hideTip());
  // Focus from the keyboard (and in a text box); a click on a button leaves it to the hover title.
  document.addEventListener("focusin", (ev) => {
    if (ev.target instanceof Element && ev.target.matches(":focus-visible")) showHelp(ev.target);
  });
  document.addEventListener("focusout", hideTip);
  // The focused element moves when the page or a row of panels scrolls, or the window narrows:
  // the tooltip follows it (within the page's width), and waits, hidden, while it is off screen.
  const follow = () => {
    if (!tipOwner) return;
    const r = tipOwner.getBoundingClientRect();
    const kind = keyedKind(tipOwner);
    if (!(r.right > 0 && r.left < window.innerWidth && r.bottom > 0 && r.top < window.innerHeight)) {
      tip.hidden = true;
      mark.hidden = true;
    } else if (kind) showCursor(tipOwner, kind);
    else placeHelp(tipOwner, tip.textContent);
  };
  document.addEventListener("scroll", follow, { capture: true, passive: true });
  window.addEventListener("resize", follow);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !tip.hidden) hideTip();
    else if (!moveInFigure(ev)) moveInFigures(ev);
  });
  // Panels, the legend and the method picker are rebuilt with the experiment: keep their help
  // texts in reach of the keyboard.
  focusableHelp(document.body);
  focusableFigures(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") focusableHelp(r.target);
      else for (const n of r.addedNodes) if (n instanceof Element) {
        focusableHelp(n);
        focusableFigures(n);
      }
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["title"] });
}
