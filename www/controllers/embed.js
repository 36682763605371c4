// Embedding (docs/embed.md): the flags in the query string (embed=1, controls=0, panels=…,
// autoplay=0, workers=0), the link to the full page from a frame, and the postMessage API (play,
// pause, step, reset, set-config, get-metrics), answered in order; messages that come before the
// page has started are kept and answered once it has. In a frame, what it tells its parent
// unasked: its content height (resize) and the race's events (ready, step, diverged, finished).

import { store } from "../store.js";
import { ui } from "./ui.js";
import { loadConfig } from "./experiment.js";
import { onMilestone } from "./milestones.js";
import { dropSteps, onLoop, pause, play, restartWithRates, settled, stepBy } from "./loop.js";

const $ = (id) => document.getElementById(id);

/**
 * Embedding flags in the query string (docs/embed.md): embed=1 (only the race), controls=0 (no
 * controls), panels=adam,gd (the methods, unless the hash names them), autoplay=0, workers=0 (step
 * on the page's thread, for comparison).
 */
export function readEmbedFlags() {
  const q = new URLSearchParams(location.search);
  const flags = {
    embed: q.get("embed") === "1",
    controls: q.get("controls") !== "0",
    autoplay: q.get("autoplay") !== "0",
    panels: (q.get("panels") || "").split(",").map((t) => t.trim()).filter((t) => /^[a-z_]+$/.test(t)),
    workers: q.get("workers") !== "0",
  };
  document.documentElement.classList.toggle("embed", flags.embed);
  document.documentElement.classList.toggle("no-controls", !flags.controls);
  return flags;
}

/**
 * Without the page's controls (controls=0): a replay button (the race again from step 0, playing)
 * and the step counter, above the panels.
 */
export function initFramePlayback() {
  $("replay").addEventListener("click", restartWithRates);
  const counter = $("frame-step");
  onLoop("counter", (step) => {
    counter.dataset.step = String(step);
    counter.textContent = `step ${step}`;
  });
}

/** In a frame, a link to the same experiment on the full page (the hash is the experiment). */
export function pointToFullPage() {
  const full = $("full-page");
  const point = () => { full.href = store.fullPageLink(); };
  point();
  full.addEventListener("click", point);
  full.addEventListener("focus", point);
}

// Messages from an embedding page that come before the page has started (say, sent in the
// frame's load event while the module still loads) are kept, and answered in order once it has.
const earlyMessages = [];
const keepEarly = (event) => earlyMessages.push(event);

/** From the module's first moment: keeps the messages that come before the page has started. */
export function keepEarlyMessages() {
  window.addEventListener("message", keepEarly);
}

/** Answers messages from now on, the kept ones first. */
export function initEmbed() {
  window.removeEventListener("message", keepEarly);
  window.addEventListener("message", handleMessage);
  for (const event of earlyMessages.splice(0)) handleMessage(event);
}

const ACTIONS = new Set(["play", "pause", "step", "reset", "set-config", "get-metrics"]);

function num(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function metricsReply() {
  return {
    type: "mc-playground",
    action: "metrics",
    runs: ui.runs.map((run, i) => {
      const m = store.stepper.metrics(i);
      return {
        name: run.name, label: run.label, step: m.step, test_error: num(m.test_error), train_error: num(m.train_error),
        effective_rank: num(m.effective_rank), step_norm: num(m.step_norm), step_stable_rank: num(m.step_stable_rank),
        diverged_at: m.diverged_at,
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
  if (event.data?.type === "mc-playground" && ENDS_STEPS.has(event.data.action) && store.lab) dropSteps();
  messages = messages.then(() => answerMessage(event)).catch((err) => console.warn("mc-playground: postMessage:", err));
}

async function answerMessage(event) {
  const d = event.data;
  if (!d || typeof d !== "object" || d.type !== "mc-playground" || !ACTIONS.has(d.action) || !store.lab) return;
  let reply = { type: "mc-playground", action: "ok", request: d.action };
  switch (d.action) {
    case "play": play(); break;
    case "pause": pause(); break;
    case "step": {
      const k = d.steps === undefined ? 1 : d.steps;
      if (!(Number.isInteger(k) && k >= 1 && k <= 10000)) {
        reply = { type: "mc-playground", action: "error", request: "step", error: "steps: a whole number from 1 to 10000" };
        break;
      }
      await stepBy(k);
      break;
    }
    case "reset": $("reset").click(); break;
    case "set-config": {
      const why = loadConfig(d.config);
      if (why) reply = { type: "mc-playground", action: "error", request: "set-config", error: why };
      break;
    }
    case "get-metrics":
      await settled();
      reply = metricsReply();
      break;
    default: return;
  }
  try {
    event.source?.postMessage(reply, event.origin === "null" ? "*" : event.origin);
  } catch { /* the sender went away */ }
}

/** Whether the page is in a frame (it then tells its parent what happens). */
export const FRAMED = window.parent !== window;

/** At most this many step events a second. */
const STEPS_PER_SECOND = 4;

/** Posts an event to the parent (any origin: they say only what the frame shows). */
function tellParent(action, fields = {}) {
  try {
    window.parent.postMessage({ type: "mc-playground", action, ...fields }, "*");
  } catch { /* the parent went away */ }
}

/** In a frame: the content height on load and on every change (resize). */
export function initFrameSize() {
  if (!FRAMED) return;
  let told = -1;
  const tell = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === told) return;
    told = height;
    tellParent("resize", { height });
  };
  new ResizeObserver(tell).observe(document.documentElement);
  tell();
}

/**
 * In a frame: the race's events, pushed, in the order they happen: ready (the experiment is
 * built, at step 0), step (at most STEPS_PER_SECOND a second while it moves, and the last step
 * before an event), diverged (a run), finished (every run that is on stopped: the run length, or
 * diverged). A new experiment or a reset is ready again. Each carries get-metrics' runs.
 */
export function initFrameEvents() {
  if (!FRAMED) return;
  let toldStep = -1;
  let toldAt = 0;
  const step = () => Math.max(0, ...metricsReply().runs.map((r) => r.step));
  const tellStep = () => {
    const runs = metricsReply().runs;
    toldStep = Math.max(0, ...runs.map((r) => r.step));
    toldAt = performance.now();
    tellParent("step", { step: toldStep, runs });
  };
  const ready = () => {
    toldStep = 0;
    tellParent("ready", { step: 0, runs: metricsReply().runs });
  };
  store.subscribe((kind) => {
    if (kind === "reset") ready();
  });
  onLoop("rewound", ready);
  onLoop("frame", () => {
    if (step() !== toldStep && performance.now() - toldAt >= 1000 / STEPS_PER_SECOND) tellStep();
  });
  onMilestone((m) => {
    if (m.kind === "found") return;
    if (step() !== toldStep) tellStep();
    if (m.kind === "diverged") tellParent("diverged", { run: ui.runs[m.key]?.name, label: m.label, step: m.step });
    else tellParent("finished", { step: m.step, runs: metricsReply().runs });
  });
  ready();
}
