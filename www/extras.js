// The page's additions around the race: your own data (CSV, image, the bundled picture),
// tooltips, the live figures table (the canvases' text alternative), the postMessage API for
// embedding (docs/embed.md) and the recovery map (www/recovery-worker.js).
//
// initExtras(api) is called once by main.js after boot; api gives access to the app state and
// to loadConfig(config, keptRuns()?) → "" | error message (a new lab on success, the old one keeps
// running; with keptRuns(), the same runs keep their colours and on/off).
// The runs may be stepped in workers: their data comes through api (runMatrix, runHistory,
// runMetrics, matrixCsv, stepBy, dropSteps, settled), never from the page's lab.

import { formatFigure, formatNumber } from "./views/axes.js";
import { download } from "./export.js";
import { decimalNumber } from "./config.js";

let api;
const $ = (id) => document.getElementById(id);

/** Largest image side the page keeps (the image is downsampled to it). */
const IMAGE_MAX_SIDE = 128;
const RECOVERED = 0.05;

export function initExtras(a) {
  api = a;
  wireData();
  wireTooltips();
  wireMessages();
  wireRecoveryMap();
  api.app.onInstall = onInstall;
  api.app.onRender = onRender;
  onInstall();
}

/**
 * The current config without its problem, for your own data. Learning rates tuned for another
 * problem ("Race at tuned rates") do not carry over: those runs start at the rate the default
 * experiment gives their method (else the method's own default; GD's tuned 100 diverges on
 * most matrices).
 */
function configWithoutProblem() {
  const c = api.currentConfig();
  delete c.problem;
  if (api.app.race?.kind === "tuned") {
    for (const o of c.optimizers ?? []) {
      const d = [...(api.app.defaults.optimizers ?? []), ...api.app.methods].find((m) => m.name === o.name);
      if (d?.learning_rate !== undefined && o.learning_rate !== undefined) o.learning_rate = d.learning_rate;
    }
  }
  return c;
}

/** What `configWithoutProblem` did to the learning rates, for the status line ("" if nothing). */
function ratesNote(wasTuned) {
  return wasTuned ? " The learning rates tuned for the previous problem are back at the default experiment's." : "";
}

function onInstall() {
  fillDownloads();
  const app = api.app;
  const note = $("data-unknown");
  if (api.isOwnData()) {
    note.textContent = app.unknownCount
      ? `${app.unknownCount} of ${app.rows * app.cols} cells of your matrix are unknown (hatched grey in W*'s panel); the test error is measured on the known cells nobody sees, and is n/a when there are none.`
      : `Your ${app.rows} × ${app.cols} matrix: every cell is known.`;
    note.hidden = false;
  } else {
    note.hidden = true;
  }
  updateMapNote();
  lastTable = 0;
  onRender();
}

// ---------------------------------------------------------------------------------------------
// Your data

function showDataError(message) {
  const box = $("data-error");
  box.textContent = message;
  box.hidden = !message;
}

/** The largest CSV the core reads (src/csv.rs, MAX_CSV_BYTES): 16 MiB of UTF-8. */
const CSV_MAX_BYTES = 16 << 20;

function loadCsv(text) {
  showDataError("");
  const wasTuned = api.app.race?.kind === "tuned";
  let configText;
  try {
    configText = api.app.Lab.csv_to_config(String(text), JSON.stringify(configWithoutProblem()));
  } catch (err) {
    showDataError(`Not loaded: ${api.messageOf(err).replace(/^config: /, "")}. The previous experiment keeps running.`);
    return false;
  }
  const why = api.loadConfig(JSON.parse(configText), api.keptRuns()); // the same runs: a run that is off stays off
  if (why) {
    showDataError(`Not loaded: ${why}. The previous experiment keeps running.`);
    return false;
  }
  $("data-status").textContent = `Loaded your CSV: ${api.app.rows} × ${api.app.cols}.${ratesNote(wasTuned)}`;
  $("image-note").hidden = true; // the picture's, if one ran before
  return true;
}

function imageFraction() {
  const v = decimalNumber($("image-fraction").value);
  if (!(v > 0 && v <= 1)) throw new Error("fraction seen: enter a number above 0 and at most 1");
  return v;
}

/** A grayscale matrix (rows of numbers in [0, 1]) → a config: centred (value − mean), Ω at random. */
function loadMatrix(rows, what, notes = []) {
  showDataError("");
  let fraction;
  try {
    fraction = imageFraction();
  } catch (err) {
    showDataError(`Not loaded: ${err.message}.`);
    return false;
  }
  const m = rows.length;
  const n = rows[0].length;
  let mean = 0;
  for (const r of rows) for (const v of r) mean += v;
  mean /= m * n;
  const truth = rows.map((r) => r.map((v) => Math.round((v - mean) * 1e6) / 1e6));
  const observed = Math.max(1, Math.round(fraction * m * n));
  const wasTuned = api.app.race?.kind === "tuned";
  const config = configWithoutProblem();
  const seed = decimalNumber($("seed").value);
  config.problem = { truth, observed, seed: Number.isInteger(seed) && seed >= 0 ? seed : 0 };
  const why = api.loadConfig(config, api.keptRuns());
  if (why) {
    showDataError(`Not loaded: ${why}. The previous experiment keeps running.`);
    return false;
  }
  $("data-status").textContent = ""; // a CSV's, if one ran before
  const note = $("image-note");
  note.textContent = [`${what}: ${m} × ${n}, grayscale centred (value − mean ${formatNumber(Math.round(mean * 1000) / 1000)}), ${observed} of ${m * n} entries seen (${Math.round((100 * observed) / (m * n))} %).`, ...notes].join(" ") + ratesNote(wasTuned);
  note.hidden = false;
  return true;
}

/** The bundled picture (docs/image-preset.md): a 64 × 64 plaid of smooth stripes and a soft
 *  checkerboard, made here from a formula (public domain). Low-rank-ish: a few outer products. */
export function presetImage(size = 64) {
  const rows = [];
  for (let i = 0; i < size; i++) {
    const r = [];
    const y = i / (size - 1);
    for (let j = 0; j < size; j++) {
      const x = j / (size - 1);
      const plaid = 0.5 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 2 * y)) * (0.5 + 0.5 * Math.cos(2 * Math.PI * 1.5 * x));
      const checker = 0.25 * Math.sin(Math.PI * 4 * y) * Math.sin(Math.PI * 4 * x);
      const ramp = 0.25 * y * (1 - x);
      r.push(Math.min(1, Math.max(0, 0.2 + plaid + checker + ramp)));
    }
    rows.push(r);
  }
  return rows;
}

function loadImageFile(file) {
  showDataError("");
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.onload = () => {
    URL.revokeObjectURL(url);
    const w0 = img.naturalWidth;
    const h0 = img.naturalHeight;
    if (!(w0 > 0 && h0 > 0)) {
      showDataError("Not loaded: the image is empty.");
      return;
    }
    const k = Math.min(1, IMAGE_MAX_SIDE / Math.max(w0, h0));
    const w = Math.max(1, Math.round(w0 * k));
    const h = Math.max(1, Math.round(h0 * k));
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(img, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    const rows = [];
    for (let i = 0; i < h; i++) {
      const r = [];
      for (let j = 0; j < w; j++) {
        const o = 4 * (i * w + j);
        r.push((0.2126 * px[o] + 0.7152 * px[o + 1] + 0.0722 * px[o + 2]) / 255);
      }
      rows.push(r);
    }
    // rows × columns, as the matrix is written (a picture's width is its number of columns).
    const notes = k < 1 ? [`Downsampled from ${h0} × ${w0} to at most ${IMAGE_MAX_SIDE} per side.`] : [];
    loadMatrix(rows, `Image “${file.name}”`, notes);
  };
  img.onerror = () => {
    URL.revokeObjectURL(url);
    showDataError("Not loaded: the file could not be read as an image.");
  };
  img.src = url;
}

/** One download button per run: its completed matrix once a matrix of yours is loaded, else its current W. */
function fillDownloads() {
  const box = $("data-downloads");
  box.replaceChildren();
  const own = api.isOwnData();
  for (const run of api.app.runs) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.run = String(run.index);
    b.textContent = own ? `Download completed CSV: ${run.label}` : `Download ${run.label}'s current W as CSV (generated problem)`;
    b.addEventListener("click", async () => {
      const csv = await api.matrixCsv(run.index);
      download(new Blob([csv], { type: "text/csv" }), `mc-playground-completed-${run.name}-${run.index}.csv`);
    });
    box.append(b);
  }
}

function wireData() {
  $("csv-load").addEventListener("click", () => loadCsv($("csv-text").value));
  $("csv-file").addEventListener("change", () => {
    const f = $("csv-file").files?.[0];
    if (!f) return;
    if (f.size > CSV_MAX_BYTES) {
      // Refused before reading: reading a file of hundreds of MB into the page freezes it (and
      // the core refuses the text anyway).
      showDataError(`Not loaded: CSV: larger than ${CSV_MAX_BYTES >> 20} MB (this file: ${(f.size / 2 ** 20).toFixed(0)} MB). The previous experiment keeps running.`);
      $("csv-file").value = "";
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      $("csv-text").value = String(reader.result);
      loadCsv(String(reader.result));
    };
    reader.onerror = () => showDataError("Not loaded: the file could not be read.");
    reader.readAsText(f);
  });
  $("image-file").addEventListener("change", () => {
    const f = $("image-file").files?.[0];
    if (f) loadImageFile(f);
  });
  $("image-preset").addEventListener("click", () => loadMatrix(presetImage(), "The bundled picture (plaid and checkerboard, public domain)"));
}

// ---------------------------------------------------------------------------------------------
// Tooltips (hover, and tap on touch screens), and the help texts (title attributes) by keyboard

let tip;
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
  // A place focused only as a jump target (the skip link's) has no help of its own.
  if (el.tabIndex < 0 && !el.title) return;
  const text = helpFor(el);
  if (!text) return;
  placeHelp(el, text);
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
  const app = api.app;
  const r = box.getBoundingClientRect();
  const j = Math.floor(((ev.clientX - r.left) / r.width) * app.cols);
  const i = Math.floor(((ev.clientY - r.top) / r.height) * app.rows);
  if (!(i >= 0 && j >= 0 && i < app.rows && j < app.cols)) return "";
  const k = i * app.cols + j;
  const known = app.known ? app.known[k] : 1;
  const truth = known ? fmt(app.truth[k]) : "unknown";
  const seen = app.mask[k] ? "observed" : "not observed";
  const panel = box.closest("article[data-index]");
  let value;
  if (panel) {
    const W = api.runMatrix(Number(panel.dataset.index));
    value = W ? W[k] : NaN;
  } else if (box.closest("#truth-y")) value = app.mask[k] ? app.observations[k] : NaN;
  else value = known ? app.truth[k] : NaN;
  return `(i, j) = (${i + 1}, ${j + 1}) · value ${fmt(value)} · truth ${truth} · ${seen}`;
}

function barsText(canvas, ev) {
  const app = api.app;
  const panel = canvas.closest("article[data-index]");
  const values = panel ? api.app.runs[Number(panel.dataset.index)]?.bars.values : api.views.truthBars.values;
  const truthLen = api.views.truthBars.truth?.length ?? 0;
  if (!values) return "";
  const r = canvas.getBoundingClientRect();
  const left = 34;
  const pw = r.width - left - 4;
  const n = Math.max(values.length, truthLen, 1);
  const k = Math.floor(((ev.clientX - r.left - left) / pw) * n);
  if (!(k >= 0 && k < values.length)) return "";
  void app;
  return `σ${k + 1} = ${fmt(values[k])}`;
}

function trajectoryText(canvas, ev) {
  const app = api.app;
  const map = api.views.trajectory.plot.lastMap;
  if (!map || !app.lab) return "";
  const r = canvas.getBoundingClientRect();
  const px = ev.clientX - r.left;
  const py = ev.clientY - r.top;
  let best = null;
  app.runs.forEach((run, i) => {
    const p = api.runHistory(i);
    if (!p || !p.len || !run.enabled) return;
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
  return `${app.runs[best.i].label} · step ${best.step} · eff. rank ${fmt(best.e)} · train error ${fmt(best.t)}`;
}

function tipFor(ev) {
  const t = ev.target;
  if (!(t instanceof Element) || !api.app.lab) return "";
  const box = t.closest(".heatmap");
  if (box) return heatmapText(box, ev);
  if (t.matches("canvas.bars")) return barsText(t, ev);
  if (t.id === "trajectory-plot") return trajectoryText(t, ev);
  return "";
}

function wireTooltips() {
  tip = document.createElement("div");
  tip.id = "tooltip";
  tip.className = "tooltip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.append(tip);
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
  // The focused element moves when the page or a row of panels scrolls: the tooltip follows it,
  // and waits, hidden, while its element is off screen.
  document.addEventListener("scroll", () => {
    if (!tipOwner) return;
    const r = tipOwner.getBoundingClientRect();
    if (r.right > 0 && r.left < window.innerWidth && r.bottom > 0 && r.top < window.innerHeight) placeHelp(tipOwner, tip.textContent);
    else tip.hidden = true;
  }, { capture: true, passive: true });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !tip.hidden) hideTip();
    else moveInFigures(ev);
  });
  // Panels, the legend and the method picker are rebuilt with the experiment: keep their help
  // texts in reach of the keyboard.
  focusableHelp(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") focusableHelp(r.target);
      else for (const n of r.addedNodes) if (n instanceof Element) focusableHelp(n);
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["title"] });
}

// ---------------------------------------------------------------------------------------------
// The live figures table: the canvases' text alternative, at most every 2 s

let lastTable = 0;
let tableTimer = null;

/** Called after every drawn frame: the table follows at most every 2 s, and always ends on the last frame. */
function onRender() {
  const now = performance.now();
  if (now - lastTable < 2000) {
    tableTimer ??= setTimeout(() => {
      tableTimer = null;
      onRender();
    }, lastTable + 2000 - now);
    return;
  }
  lastTable = now;
  const app = api.app;
  const playing = !!app.player?.playing;
  const length = app.config?.steps ?? Infinity;
  const tbody = $("live-figures").querySelector("tbody");
  const rows = api.app.runs.map((run) => {
    const m = run.metrics || {};
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = run.label;
    tr.append(th);
    const state = m.diverged_at !== null && m.diverged_at !== undefined ? `diverged at ${m.diverged_at}`
      : !run.enabled ? "off" : (m.step ?? 0) >= length ? "finished" : playing ? "running" : "paused";
    const cells = [String(m.step ?? 0), fmt(m.test_error), fmt(m.train_error), fmt(m.effective_rank), state];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  });
  tbody.replaceChildren(...rows);
}

// ---------------------------------------------------------------------------------------------
// postMessage API (docs/embed.md)

const ACTIONS = new Set(["play", "pause", "step", "reset", "set-config", "get-metrics"]);

function num(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function metricsReply() {
  const app = api.app;
  return {
    type: "mc-playground",
    action: "metrics",
    runs: app.runs.map((run, i) => {
      const m = api.runMetrics(i);
      return {
        name: run.name, label: run.label, step: m.step, test_error: num(m.test_error), train_error: num(m.train_error),
        effective_rank: num(m.effective_rank), diverged_at: m.diverged_at,
      };
    }),
  };
}

// Messages are answered one at a time, in order: a step's steps are taken before a later
// get-metrics is answered.
let messages = Promise.resolve();

/** Messages that end a `step` under way at once, rather than wait until its steps are taken. */
const ENDS_STEPS = new Set(["play", "pause", "reset", "set-config"]);

function handleMessage(event) {
  // Its later steps are dropped (docs/embed.md).
  if (event.data?.type === "mc-playground" && ENDS_STEPS.has(event.data.action) && api.app.lab) api.dropSteps();
  messages = messages.then(() => answerMessage(event)).catch((err) => console.warn("mc-playground: postMessage:", err));
}

async function answerMessage(event) {
  const d = event.data;
  if (!d || typeof d !== "object" || d.type !== "mc-playground" || !ACTIONS.has(d.action) || !api.app.lab) return;
  const app = api.app;
  let reply = { type: "mc-playground", action: "ok", request: d.action };
  switch (d.action) {
    case "play": app.player.play(); break;
    case "pause": app.player.pause(); break;
    case "step": {
      const k = d.steps === undefined ? 1 : d.steps;
      if (!(Number.isInteger(k) && k >= 1 && k <= 10000)) {
        reply = { type: "mc-playground", action: "error", request: "step", error: "steps: a whole number from 1 to 10000" };
        break;
      }
      await api.stepBy(k);
      break;
    }
    case "reset": api.reset(); break;
    case "set-config": {
      const why = api.loadConfig(d.config);
      if (why) reply = { type: "mc-playground", action: "error", request: "set-config", error: why };
      break;
    }
    case "get-metrics":
      await api.settled();
      reply = metricsReply();
      break;
    default: return;
  }
  try {
    event.source?.postMessage(reply, event.origin === "null" ? "*" : event.origin);
  } catch { /* the sender went away */ }
}

function wireMessages() {
  window.addEventListener("message", handleMessage);
  for (const event of api.earlyMessages?.splice(0) ?? []) handleMessage(event);
}

// ---------------------------------------------------------------------------------------------
// The recovery map: observed fraction × rank → how many seeds each method recovers

const map = { workers: [], job: 0, cells: null, meta: null, done: 0, total: 0, t0: 0 };

function mapSize() {
  const app = api.app;
  return { rows: app.rows, cols: app.cols };
}

/** The current size in the map's text; a note when the map shown is for another size. */
function updateMapNote() {
  const { rows, cols } = mapSize();
  $("map-size").textContent = `${rows} × ${cols}`;
  const meta = map.meta;
  const stale = !!meta && (meta.rows !== rows || meta.cols !== cols);
  $("map-stale").textContent = stale
    ? `The map below is for ${meta.rows} × ${meta.cols}, the size when it was computed; compute it again for ${rows} × ${cols}.`
    : "";
  $("map-stale").hidden = !stale;
}

function mapMethods() {
  const app = api.app;
  const lrOf = (name) => app.runs.find((r) => r.name === name && r.hasLr)?.lr ?? api.equalRate;
  return [{ name: "adam", learning_rate: lrOf("adam") }, { name: "gd", learning_rate: lrOf("gd") }];
}

function setMapState(state) {
  $("recovery").dataset.state = state;
  $("map-run").disabled = state === "running";
  $("map-cancel").disabled = state !== "running";
}

function stopWorkers() {
  for (const w of map.workers) w.terminate();
  map.workers = [];
}

function startMap() {
  const err = $("map-error");
  err.hidden = true;
  const texts = $("map-fractions").value.split(",").map((t) => t.trim()).filter((t) => t !== "");
  const fractions = texts.map(decimalNumber);
  const seeds = decimalNumber($("map-seeds").value);
  // Every fraction strictly between 0 and 1 (at 1 no entry is left to test on), none dropped
  // without a word.
  const bad = texts.filter((t, k) => !(fractions[k] > 0 && fractions[k] < 1));
  if (!fractions.length || bad.length || !(Number.isInteger(seeds) && seeds >= 1 && seeds <= 10)) {
    const which = bad.length ? ` (${bad.map((t) => `"${t.slice(0, 20)}"`).join(", ")} ${bad.length === 1 ? "is" : "are"} not)` : "";
    err.textContent = `Not started: fractions seen above 0 and below 1, comma-separated${which}, and 1 to 10 seeds.`;
    err.hidden = false;
    return;
  }
  const { rows, cols } = mapSize();
  const ranks = Array.from({ length: Math.min(6, rows, cols) }, (_, k) => k + 1);
  const steps = $("map-length").value === "quick" ? 500 : api.app.steps;
  const base = api.currentConfig();
  const methods = mapMethods();
  const cells = [];
  fractions.forEach((f, fi) => ranks.forEach((r, ri) => {
    for (let s = 0; s < seeds; s++) {
      const config = {
        problem: { rows, cols, rank: r, observed: Math.max(1, Math.round(f * rows * cols)), noise: 0, seed: s },
        model: { depth: 1, init: "observed" },
        objective: { penalty: "ratio", lambda: base.objective?.lambda ?? 0.01, scale: base.objective?.scale ?? 1 },
        steps,
        optimizers: methods,
      };
      cells.push({ fi, ri, seed: s, steps, config: JSON.stringify(config), plain: config });
    }
  }));
  stopWorkers();
  map.job++;
  map.meta = { rows, cols, fractions, ranks, seeds, steps, methods };
  updateMapNote();
  map.results = new Map(); // "fi,ri" → [{seed, results}]
  map.done = 0;
  map.total = cells.length;
  map.t0 = performance.now();
  map.configs = new Map(cells.map((c) => [`${c.fi},${c.ri},${c.seed}`, c.plain]));
  const nw = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1, cells.length));
  const job = map.job;
  let finished = 0;
  for (let w = 0; w < nw; w++) {
    const worker = new Worker(new URL("./recovery-worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.job !== job) return;
      if (m.type === "cell") {
        const key = `${m.fi},${m.ri}`;
        if (!map.results.has(key)) map.results.set(key, []);
        map.results.get(key).push({ seed: m.seed, results: m.results });
        map.done++;
        $("map-progress").value = map.done / map.total;
        $("map-status").textContent = `${map.done} of ${map.total} problems · ${((performance.now() - map.t0) / 1000).toFixed(0)} s`;
        drawMap();
      } else if (m.type === "done") {
        finished++;
        if (finished === nw) {
          stopWorkers();
          $("map-status").textContent = `done: ${map.total} problems (${methods.length} methods each, ${steps} steps) in ${((performance.now() - map.t0) / 1000).toFixed(0)} s`;
          setMapState("done");
        }
      } else if (m.type === "error") {
        stopWorkers();
        err.textContent = `The map stopped: ${m.message}.`;
        err.hidden = false;
        setMapState("error");
      }
    };
    worker.onerror = (e) => {
      stopWorkers();
      err.textContent = `The map stopped: ${e.message || "the worker failed"}.`;
      err.hidden = false;
      setMapState("error");
    };
    map.workers.push(worker);
    worker.postMessage({ type: "run", job, cells: cells.filter((_, k) => k % nw === w).map(({ plain, ...c }) => c) });
  }
  setMapState("running");
  $("map-status").textContent = `0 of ${map.total} problems`;
  drawMap();
}

function cancelMap() {
  if (!map.workers.length) return;
  stopWorkers();
  map.job++;
  $("map-status").textContent = `cancelled after ${map.done} of ${map.total} problems`;
  setMapState("cancelled");
}

function recovered(r) {
  return r.diverged_at === null && Number.isFinite(r.test_error) && r.test_error < RECOVERED;
}

function drawMap() {
  const box = $("map-grids");
  const meta = map.meta;
  box.replaceChildren();
  if (!meta) return;
  meta.methods.forEach((method, mi) => {
    const fig = document.createElement("figure");
    fig.className = "map";
    const table = document.createElement("table");
    table.className = "map-table";
    table.dataset.method = method.name;
    const cap = document.createElement("caption");
    cap.textContent = `${method.name === "adam" ? "Adam" : "GD"} (rate ${formatNumber(method.learning_rate)}) + ratio penalty: seeds recovered (test error < ${RECOVERED})`;
    table.append(cap);
    const head = document.createElement("tr");
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = "rank \\ seen";
    head.append(corner);
    for (const f of meta.fractions) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = `${Math.round(f * 100)}%`;
      head.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(head);
    const tbody = document.createElement("tbody");
    for (let ri = meta.ranks.length - 1; ri >= 0; ri--) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(meta.ranks[ri]);
      tr.append(th);
      meta.fractions.forEach((f, fi) => {
        const td = document.createElement("td");
        const list = map.results.get(`${fi},${ri}`) || [];
        const b = document.createElement("button");
        b.type = "button";
        b.className = "map-cell";
        b.dataset.fi = String(fi);
        b.dataset.ri = String(ri);
        b.dataset.method = method.name;
        if (list.length) {
          const wins = list.filter((x) => recovered(x.results[mi])).length;
          b.textContent = `${wins}/${list.length}`;
          const share = wins / list.length;
          b.style.setProperty("--share", String(share));
          b.dataset.share = String(share);
          b.setAttribute("aria-label", `${method.name}, rank ${meta.ranks[ri]}, ${Math.round(f * 100)}% seen: ${wins} of ${list.length} seeds recovered; load this experiment`);
          b.addEventListener("click", () => loadMapCell(fi, ri, mi));
        } else {
          b.textContent = "·";
          b.disabled = true;
          b.setAttribute("aria-label", "not run yet");
        }
        td.append(b);
        tr.append(td);
      });
      tbody.append(tr);
    }
    table.append(thead, tbody);
    fig.append(table);
    box.append(fig);
  });
}

/** Loads a map cell into the race: its size, rank, observed count and the seed of its first
 *  failure (or, if every seed was recovered, its first success). */
function loadMapCell(fi, ri, mi) {
  const list = (map.results.get(`${fi},${ri}`) || []).slice().sort((a, b) => a.seed - b.seed);
  if (!list.length) return;
  const pick = list.find((x) => !recovered(x.results[mi])) ?? list[0];
  const plain = structuredClone(map.configs.get(`${fi},${ri},${pick.seed}`));
  const why = api.loadConfig(plain);
  const status = $("map-load");
  status.textContent = why
    ? `Not loaded: ${why}.`
    : `Loaded: rank ${plain.problem.rank}, ${plain.problem.observed} of ${plain.problem.rows * plain.problem.cols} seen, seed ${pick.seed} (${recovered(pick.results[mi]) ? "recovered" : "not recovered"} by ${map.meta.methods[mi].name}).`;
  if (!why) $("race").scrollIntoView({ block: "start" });
}

function wireRecoveryMap() {
  $("map-run").addEventListener("click", startMap);
  $("map-cancel").addEventListener("click", cancelMap);
  setMapState("idle");
  updateMapNote();
}
