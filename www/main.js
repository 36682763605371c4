// Boot: loads the WebAssembly core and the catalog, starts the controllers, opens the link's
// experiment and plays. Nothing else lives here: the experiment is in the store (www/store.js),
// what steps the runs in the engine (www/engine/), each concern in its controller
// (www/controllers/), what is drawn in the views (www/views/). ARCHITECTURE.md.

import { loadCore } from "./engine/core.js";
import { makeCatalog } from "./catalog.js";
import { store } from "./store.js";
import { initLoop, render, start } from "./controllers/loop.js";
import { initRuns } from "./controllers/runs.js";
import { initTimePlot } from "./controllers/time-plot.js";
import { initExperiment, onLinkChange, openExperiment } from "./controllers/experiment.js";
import { initPca } from "./controllers/pca.js";
import { initRace } from "./controllers/race.js";
import { initSweep } from "./controllers/sweep.js";
import { initExport } from "./controllers/export.js";
import { initPresets } from "./controllers/presets.js";
import { initReference } from "./controllers/reference.js";
import { initData } from "./controllers/data.js";
import { initTooltips } from "./controllers/tooltips.js";
import { initFiguresTable } from "./controllers/figures-table.js";
import { initDescriptions } from "./controllers/descriptions.js";
import { initScrub } from "./controllers/scrub.js";
import { initRecoveryMap } from "./controllers/recovery.js";
import { FRAMED, initEmbed, initFrameEvents, initFramePlayback, initFrameSize, keepEarlyMessages, pointToFullPage, readEmbedFlags } from "./controllers/embed.js";
import { initMilestones } from "./controllers/milestones.js";
import { initRest } from "./controllers/rest.js";
import { initPlotTable } from "./controllers/plot-table.js";

const $ = (id) => document.getElementById(id);

// Messages from an embedding page may come before the page has started: kept from now on.
keepEarlyMessages();
const EMBED = readEmbedFlags();
if (EMBED.embed) pointToFullPage();
initFrameSize();

/** prefers-reduced-motion: no autoplay. */
const REDUCED_MOTION = typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;

async function boot() {
  try {
    store.core = await loadCore();
  } catch (err) {
    showLoadError(err);
    return;
  }
  $("loading").hidden = true;
  const { Lab } = store.core;
  store.defaults = JSON.parse(Lab.default_config());
  let methods;
  try {
    methods = JSON.parse(Lab.methods());
  } catch {
    methods = store.defaults.optimizers.map((config) => ({ name: config.name, label: config.name, config }));
  }
  store.catalog = makeCatalog(methods);
  store.steps = store.defaults.steps ?? store.steps;

  // The URL may hold an experiment (panels=… names its methods if the hash does not).
  store.followLink(onLinkChange);
  const hash = store.linkHash();
  // They start at the race's rate (the default experiment's, 0.01), as the full page does, unless the hash sets lr=.
  const raceLr = store.defaults.optimizers?.[0]?.learning_rate ?? 0.01;
  const panelsHash = () => `m=${EMBED.panels.join(",")}${/(^|[#&])lr=/.test(hash) ? "" : `&lr=${EMBED.panels.map((n) => (store.catalog.get(n)?.has_learning_rate === false ? "" : raceLr)).join(",")}`}`;
  const parsed = store.parseLink(EMBED.panels.length && !/(^|[#&])m=/.test(hash)
    ? `${hash}${hash.length > 1 ? "&" : "#"}${panelsHash()}` : hash);

  // The controllers, in the order they follow a new experiment (the panels before what reads them).
  initLoop({ useWorkers: EMBED.workers, withControls: EMBED.controls });
  initTimePlot();
  if (!EMBED.controls) initFramePlayback();
  initRuns();
  initExperiment();
  initPca();
  initRace();
  initSweep();
  initExport({ embedded: EMBED.embed });
  initReference();
  initPresets();
  store.subscribe((kind) => {
    if (kind === "reset") render();
  });
  const { lab, enabled } = openExperiment(parsed);
  store.apply("reset", { lab, enabled });
  initData();
  initTooltips();
  initFiguresTable();
  initDescriptions();
  initScrub();
  initRecoveryMap();
  initMilestones();
  initPlotTable();
  initEmbed();
  initFrameEvents();
  // prefers-reduced-motion or autoplay=0: held from the start (player.held), as after a pause.
  start(REDUCED_MOTION || !EMBED.autoplay);
  initRest({ framed: FRAMED });
}

function showLoadError(err) {
  const box = $("load-error");
  box.hidden = false;
  box.replaceChildren();
  const h = document.createElement("strong");
  h.textContent = "The WebAssembly core could not be loaded, so nothing can run.";
  const p = document.createElement("p");
  p.textContent = `Reason: ${err instanceof Error ? err.message : String(err)}`;
  const hint = document.createElement("p");
  hint.textContent =
    "If you are running it yourself: build the core with “bash scripts/build.sh”, then serve the " +
    "repository root over http (for example “python3 -m http.server”); opening index.html as a file does not work.";
  box.append(h, p, hint, ...posterFigure());
  $("loading").hidden = true;
  document.body.classList.add("no-core");
  for (const el of document.querySelectorAll("button, input, select")) el.disabled = true;
  console.warn("mc-playground: wasm failed to load:", err);
}

/** The picture of the race that stands for it without scripts (index.html's <noscript>), as elements. */
function posterFigure() {
  const source = $("poster-source");
  if (!source) return [];
  return [...new DOMParser().parseFromString(source.textContent, "text/html").body.children];
}

boot();
