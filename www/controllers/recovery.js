// The recovery map: observed fraction × rank → how many seeds Adam and GD recover, computed in
// workers (engine/recovery-worker.js) for the current size; a cell loads its experiment.

import { formatNumber } from "../views/axes.js";
import { decimalNumber } from "../schema.js";
import { store } from "../store.js";
import { loadConfig } from "./experiment.js";
import { EQUAL_RATE } from "./race.js";

const $ = (id) => document.getElementById(id);

const RECOVERED = 0.05;

export function initRecoveryMap() {
  wireRecoveryMap();
  store.subscribe((kind) => {
    if (kind === "reset") updateMapNote();
  });
}

const map = { workers: [], job: 0, cells: null, meta: null, done: 0, total: 0, t0: 0 };

function mapSize() {
  return { rows: store.rows, cols: store.cols };
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
  const lrOf = (name) => store.rates.find((lr, i) => store.runs[i].name === name && lr !== undefined) ?? EQUAL_RATE;
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
  const steps = $("map-length").value === "quick" ? 500 : store.steps;
  const base = store.currentConfig();
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
    const worker = new Worker(new URL("../engine/recovery-worker.js", import.meta.url), { type: "module" });
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
    cap.textContent = `${store.catalog.label(method.name)} (rate ${formatNumber(method.learning_rate)}) + ratio penalty: seeds recovered (test error < ${RECOVERED})`;
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
  const why = loadConfig(plain);
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
