// Your data: a matrix pasted or picked as CSV, an image, or the bundled picture becomes the
// problem (the known cells seen, every method fills in the rest); each run's completed matrix
// can be downloaded. Nothing leaves the browser.

import { formatNumber } from "../views/axes.js";
import { download } from "../views/export.js";
import { decimalNumber } from "../schema.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { loadConfig, messageOf } from "./experiment.js";

const $ = (id) => document.getElementById(id);

/** Largest image side the page keeps (the image is downsampled to it). */
const IMAGE_MAX_SIDE = 128;

export function initData() {
  wireData();
  store.subscribe((kind) => {
    if (kind === "reset") onInstall();
  });
  onInstall();
}

/**
 * The current config without its problem, for your own data. Learning rates tuned for another
 * problem ("Race at tuned rates") do not carry over: those runs start at the rate the default
 * experiment gives their method (else the method's own default; GD's tuned 100 diverges on
 * most matrices).
 */
function configWithoutProblem() {
  const c = store.currentConfig();
  delete c.problem;
  if (store.race?.kind === "tuned") {
    for (const o of c.optimizers ?? []) {
      const d = [...(store.defaults.optimizers ?? []), ...store.catalog.configs].find((m) => m.name === o.name);
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
  const note = $("data-unknown");
  if (store.isOwnData()) {
    note.textContent = store.unknownCount
      ? `${store.unknownCount} of ${store.rows * store.cols} cells of your matrix are unknown (hatched grey in W*'s panel); the test error is measured on the known cells nobody sees, and is n/a when there are none.`
      : `Your ${store.rows} × ${store.cols} matrix: every cell is known.`;
    note.hidden = false;
  } else {
    note.hidden = true;
  }
}

function showDataError(message) {
  const box = $("data-error");
  box.textContent = message;
  box.hidden = !message;
}

/** The largest CSV the core reads (src/csv.rs, MAX_CSV_BYTES): 16 MiB of UTF-8. */
const CSV_MAX_BYTES = 16 << 20;

function loadCsv(text) {
  showDataError("");
  const wasTuned = store.race?.kind === "tuned";
  let configText;
  try {
    configText = store.core.Lab.csv_to_config(String(text), JSON.stringify(configWithoutProblem()));
  } catch (err) {
    showDataError(`Not loaded: ${messageOf(err).replace(/^config: /, "")}. The previous experiment keeps running.`);
    return false;
  }
  const why = loadConfig(JSON.parse(configText), store.keptRuns()); // the same runs: a run that is off stays off
  if (why) {
    showDataError(`Not loaded: ${why}. The previous experiment keeps running.`);
    return false;
  }
  $("data-status").textContent = `Loaded your CSV: ${store.rows} × ${store.cols}.${ratesNote(wasTuned)}`;
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
  const wasTuned = store.race?.kind === "tuned";
  const config = configWithoutProblem();
  const seed = decimalNumber($("seed").value);
  config.problem = { truth, observed, seed: Number.isInteger(seed) && seed >= 0 ? seed : 0 };
  const why = loadConfig(config, store.keptRuns());
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
  const own = store.isOwnData();
  for (const run of ui.runs) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.run = String(run.index);
    b.textContent = own ? `Download completed CSV: ${run.label}` : `Download ${run.label}'s current W as CSV (generated problem)`;
    b.addEventListener("click", async () => {
      const csv = await store.stepper.matrixCsv(run.index);
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
