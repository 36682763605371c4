// The experiment: a new lab from the problem, model and loss controls, the run length, a new
// problem, the default methods, a whole config (your data, the recovery map, postMessage) and the
// link (a hash change: hot when only learning rates, on/off or the run length differ, else a new
// lab). On an error the running lab keeps going and the message goes next to its control.

import { PROBLEM_FIELDS, VIEW_KEYS, decimalNumber, explainLabError, getPath } from "../schema.js";
import { stepsError } from "../limits.js";
import { configFromControls, fillControls } from "../views/controls.js";
import { store } from "../store.js";
import { playUnlessHeld } from "./loop.js";
import { ui } from "./ui.js";

const $ = (id) => document.getElementById(id);

const state = { autoInit: false }; // the start was switched to gaussian by a depth change (and goes back at depth 1)

export function messageOf(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function initExperiment() {
  for (const f of PROBLEM_FIELDS) $(f.id).addEventListener("change", () => onProblemChange(f.id));
  $("steps").addEventListener("change", onStepsChange);
  $("new-problem").addEventListener("click", newProblem);
  $("methods-default").addEventListener("click", () => {
    const config = store.currentConfig();
    config.optimizers = structuredClone(store.defaults.optimizers);
    rebuild(config, { changedId: "method-picker" });
  });
  store.subscribe((kind, change) => {
    if (kind === "reset") {
      showModelHint();
      fillControls(store.config);
      if (store.isOwnData()) {
        // Explicit data: the size controls show the data's size (a change goes back to random problems).
        $("rows").value = String(store.rows);
        $("cols").value = String(store.cols);
        $("rank").value = String(store.rank);
        $("observed").value = String(store.observed);
      }
      $("init-scale").disabled = $("init").value === "observed";
      $("steps").value = String(store.steps);
    } else if (kind === "hot" && change.steps !== undefined) {
      $("steps").value = String(change.steps);
    }
  });
}

/** "-4,3,2,3000" (the tuned race's sweep protocol in the URL) → {kind, from, to, perDecade, steps}. */
export function parseTuned(text) {
  if (!text) return null;
  const v = text.split(",").map(Number);
  if (v.length !== 4 || !v.every(Number.isFinite)) return null;
  return { kind: "tuned", from: v[0], to: v[1], perDecade: v[2], steps: v[3] };
}

/** Says which parts of a link were ignored (unknown, old or garbled keys), and `extra`. */
export function showHashNote(ignored, extra = "") {
  const note = $("hash-note");
  // A garbled link can hold anything: each part cut to 60 characters, at most 10 of them.
  const cut = (t) => (t.length > 60 ? `${t.slice(0, 60)}…` : t);
  const parts = (ignored || []).slice(0, 10).map(cut);
  if (ignored && ignored.length > 10) parts.push(`and ${ignored.length - 10} more`);
  let text = parts.length ? `Ignored in the link: ${parts.join(", ")}.` : "";
  if (extra) text = text ? `${text} ${extra}` : extra;
  note.textContent = text;
  note.hidden = !text;
}

/** The view options of a link (defaults for those it leaves out): they never step, reset or reseed. */
function linkView(view = {}) {
  return { ...Object.fromEntries(Object.entries(VIEW_KEYS).map(([k, i]) => [k, i.default])), ...view };
}

/**
 * The experiment the page opens with: the link's if it is valid (else the default one, and a
 * note says why); its view options apply first. Returns {lab, enabled}.
 */
export function openExperiment(parsed) {
  const { config, off, tuned } = parsed;
  store.apply("view", linkView(parsed.view));
  let lab;
  try {
    lab = store.build(config);
    store.steps = config.steps ?? store.steps;
    store.race = parseTuned(tuned);
    showHashNote(parsed.ignored);
  } catch (err) {
    showHashNote(parsed.ignored, `The link's experiment was not valid (${messageOf(err)}); showing the default one.`);
    lab = new store.core.Lab(JSON.stringify(store.defaults));
  }
  return { lab, enabled: Array.from({ length: lab.run_count() }, (_, i) => !off.includes(i)) };
}

/** The hash changed (an edit, back/forward, a preset). */
export function onLinkChange(parsed) {
  showHashNote(parsed.ignored);
  store.apply("view", linkView(parsed.view));
  const next = parsed.config;
  const cur = store.currentConfig();
  const strip = (c) => {
    const x = structuredClone(c);
    delete x.steps;
    for (const o of x.optimizers || []) delete o.learning_rate;
    return JSON.stringify(x);
  };
  if (strip(next) === strip(cur)) {
    // Hot: learning rates, on/off, run length. An error about an earlier change is now stale.
    clearConfigError();
    next.optimizers.forEach((o, i) => setLearningRateFromLink(i, o.learning_rate));
    store.runs.forEach((_, i) => {
      const on = !parsed.off.includes(i);
      if (store.enabled[i] !== on) store.apply("hot", { run: i, enabled: on });
    });
    if (next.steps !== store.steps) store.apply("hot", { steps: next.steps });
    store.apply("hot", { race: parseTuned(parsed.tuned) ?? store.race });
    store.writeLink();
    return;
  }
  const oldSteps = store.steps;
  store.steps = next.steps ?? store.steps;
  const ok = rebuild(next, { enabled: next.optimizers.map((_, i) => !parsed.off.includes(i)), race: parseTuned(parsed.tuned) });
  if (!ok) {
    store.steps = oldSteps;
    store.writeLink(); // the URL shows the experiment that runs
  }
}

/** A learning rate typed, slid or from the link (hot); a refused one is said on its panel. */
export function setRunLearningRate(run, text, from) {
  const t = String(text).trim();
  const v = decimalNumber(t);
  const fail = (msg) => {
    run.showError(msg);
    run.lrInput.setAttribute("aria-invalid", "true");
  };
  if (t === "" || !Number.isFinite(v)) return fail("learning rate: enter a number");
  try {
    store.apply("hot", { run: run.index, lr: v, from });
  } catch (err) {
    return fail((err instanceof Error ? err.message : String(err)).replace(/^optimizers\[\d+\]\.learning_rate:\s*/, "learning rate: "));
  }
}

/** A learning rate from the link (hot), as if typed. */
function setLearningRateFromLink(i, v) {
  const run = ui.runs[i];
  if (run && store.rates[i] !== undefined && v !== undefined && v !== store.rates[i]) setRunLearningRate(run, String(v), "hash");
}

/**
 * Builds a lab from a whole config (CSV, image, recovery map, postMessage); on success it
 * replaces the running one and plays. Returns "" or the error message (the running lab goes on).
 * opts.slots, opts.enabled: each run's colour slot and on/off (store.keptRuns(), for the same runs).
 */
export function loadConfig(config, opts = {}) {
  let lab;
  try {
    if (!config || typeof config !== "object" || Array.isArray(config)) throw new Error("the config must be a JSON object");
    lab = store.build(config);
  } catch (err) {
    return messageOf(err).replace(/^config: /, "");
  }
  clearConfigError();
  let steps = store.steps;
  try {
    steps = JSON.parse(lab.config_json()).steps ?? steps;
  } catch { /* keep the run length */ }
  store.apply("reset", { lab, slots: opts.slots, enabled: opts.enabled, race: null, steps });
  playUnlessHeld();
  return "";
}

/**
 * Builds a new lab from `config`; on success it replaces the running one (and plays), on error
 * the running lab keeps going and the message is shown next to the control that caused it.
 * opts: {changedId, panel, slots, enabled, race}
 */
export function rebuild(config, opts = {}) {
  config.steps = store.steps;
  let lab;
  try {
    lab = store.build(config);
  } catch (err) {
    if (err.limits) err.fieldId = opts.changedId === "cols" ? "cols" : "rows";
    const labels = (config.optimizers || []).map((o) => store.catalog.label(o.name));
    const explained = explainLabError(messageOf(err), labels, store.catalog);
    const fieldId = explained.fieldId || err.fieldId || null;
    const message = `Not applied: ${explained.text}. ${restoreControls()}The previous experiment keeps running.`;
    if (opts.panel && !fieldId && (explained.runIndex === null || explained.runIndex === opts.panel.index)) opts.panel.showError(message);
    else showConfigError(message, fieldId || opts.changedId);
    return false;
  }
  clearConfigError();
  store.apply("reset", { lab, slots: opts.slots, enabled: opts.enabled, race: opts.race ?? null });
  playUnlessHeld();
  return true;
}

/**
 * After a rejected change: puts the running lab's values back into every problem control (so no
 * field shows a value the running lab does not use) and says which ones went back.
 */
function restoreControls() {
  const back = [];
  for (const f of PROBLEM_FIELDS) {
    const el = $(f.id);
    const running = getPath(store.config, f.path);
    if (!el || running === undefined) continue;
    if (el.value !== String(running)) back.push(`${f.name} ${el.value === "" ? "(empty)" : el.value} → ${running}`);
  }
  fillControls(store.config);
  $("init-scale").disabled = $("init").value === "observed";
  return back.length ? `Back to the running values (${back.join(", ")}). ` : "";
}

/** Where the config error goes: into the group of the control it is about. */
export function showConfigError(message, fieldId, groupOf) {
  const box = $("config-error");
  box.textContent = message;
  box.hidden = false;
  box.dataset.field = fieldId || groupOf || ""; // what it is about (a later good value there clears it)
  for (const f of PROBLEM_FIELDS) $(f.id).removeAttribute("aria-invalid");
  $("steps").removeAttribute("aria-invalid");
  const target = (fieldId && $(fieldId)) || (groupOf && $(groupOf));
  const group = target?.closest("fieldset");
  if (group) group.append(box);
  else document.querySelector(".controls").append(box);
  if (fieldId && $(fieldId) && PROBLEM_FIELDS.some((f) => f.id === fieldId)) {
    $(fieldId).setAttribute("aria-invalid", "true");
    $(fieldId).setAttribute("aria-describedby", "config-error");
  }
}

export function clearConfigError() {
  $("config-error").hidden = true;
  $("config-error").textContent = "";
  $("config-error").dataset.field = "";
  for (const f of [...PROBLEM_FIELDS.map((f) => f.id), "steps"]) {
    $(f).removeAttribute("aria-invalid");
    $(f).removeAttribute("aria-describedby");
  }
}

function showModelNote(text) {
  const note = $("model-note");
  note.textContent = text;
  note.hidden = !text;
}

/**
 * A hint when nothing can move: from the seen entries with no penalty (or λ = 0), the start
 * already fits every seen value exactly, so it already minimises the loss (gradient 0).
 */
function showModelHint() {
  const c = store.config;
  const still = c.model?.init === "observed" && (c.objective?.penalty === "none" || c.objective?.lambda === 0);
  const hint = still
    ? "Nothing will move: the start (the seen entries, zeros elsewhere) already fits every seen value, and with " +
      (c.objective?.penalty === "none" ? "no penalty" : "λ = 0") + " that is a minimum of the loss (its gradient is 0). " +
      "Add a penalty, or start from a small random matrix."
    : "";
  const note = $("model-hint");
  note.textContent = hint;
  note.hidden = !hint;
}

/** A problem, model or loss control changed: build a new lab; on error keep the running one. */
function onProblemChange(changedId) {
  if (changedId === "depth") {
    const depth = Number($("depth").value);
    if (depth >= 2 && $("init").value === "observed") {
      $("init").value = "gaussian";
      state.autoInit = true;
      showModelNote("Starting from the seen entries works at depth 1 only, so the start is now small and random (gaussian).");
    } else if (depth === 1 && state.autoInit && $("init").value === "gaussian") {
      $("init").value = "observed";
      state.autoInit = false;
      showModelNote("Back at depth 1: the start is the seen entries again.");
    } else showModelNote("");
  } else if (changedId === "init") {
    state.autoInit = false;
    showModelNote("");
  }
  $("init-scale").disabled = $("init").value === "observed";
  let config;
  const cur = store.currentConfig();
  try {
    config = configFromControls(cur, store.rates);
  } catch (err) {
    showConfigError(`Not applied: ${err.message}. ${restoreControls()}The previous experiment keeps running.`, err.fieldId || changedId);
    return;
  }
  if (store.isOwnData(cur)) {
    // Your data: a new size or rank goes back to random problems; a new seen count draws Ω at
    // random among the known cells; anything else keeps the data as it is.
    if (["rows", "cols", "rank"].includes(changedId)) {
      delete config.problem.truth;
      delete config.problem.observed_entries;
    } else {
      delete config.problem.rows;
      delete config.problem.cols;
      delete config.problem.rank;
      if (changedId === "observed") delete config.problem.observed_entries;
      else if (cur.problem.observed_entries) delete config.problem.observed;
      else config.problem.observed = cur.problem.observed;
    }
  }
  rebuild(config, { changedId, ...store.keptRuns() });
}

function onStepsChange() {
  const el = $("steps");
  const t = el.value.trim();
  const v = t === "" ? NaN : Number(t);
  const bad = stepsError(v);
  if (bad) {
    showConfigError(`Not applied: ${bad}. Back to ${store.steps}.`, "steps");
    el.value = String(store.steps);
    el.setAttribute("aria-invalid", "true");
    return;
  }
  el.removeAttribute("aria-invalid");
  if ($("config-error").dataset.field === "steps") clearConfigError();
  store.apply("hot", { steps: v });
}

/** A new problem: the same settings with a new random seed (a reset property). */
function newProblem() {
  const config = store.currentConfig();
  config.problem.seed = crypto.getRandomValues(new Uint32Array(1))[0];
  rebuild(config, { changedId: "seed", ...store.keptRuns(), race: store.race });
}
