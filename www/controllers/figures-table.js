// The live figures table: the canvases' text alternative (each run's step, errors, rank and
// state), at most every 2 s, and always on the last frame.

import { formatFigure } from "../views/axes.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { isPlaying, onLoop } from "./loop.js";

const $ = (id) => document.getElementById(id);

function fmt(v) {
  return Number.isFinite(v) ? formatFigure(v) : "n/a";
}

export function initFiguresTable() {
  onLoop("frame", onRender);
  store.subscribe((kind) => {
    if (kind === "reset") {
      lastTable = 0;
      onRender();
    }
  });
  onRender();
}

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
    const playing = isPlaying();
  const length = store.config?.steps ?? Infinity;
  const tbody = $("live-figures").querySelector("tbody");
  const rows = ui.runs.map((run) => {
    const m = run.metrics || {};
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = run.label;
    tr.append(th);
    const state = m.diverged_at !== null && m.diverged_at !== undefined ? `diverged at ${m.diverged_at}`
      : m.blowing_up_at !== null && m.blowing_up_at !== undefined ? `blowing up since ${m.blowing_up_at}`
      : !store.enabled[run.index] ? "off" : (m.step ?? 0) >= length ? "finished" : playing ? "running" : "paused";
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
