// The presets: the story in one click. A preset is a link (www/presets.js); clicking it goes to
// that link, and the hash change applies it. Its caption shows while its experiment runs, and
// under it what the runs on screen show now (the figures, who fits the noise, who is closest).

import { PRESETS } from "../presets.js";
import { outcomeSentence } from "../captions.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { onLoop } from "./loop.js";
import { setReference } from "./reference.js";

const $ = (id) => document.getElementById(id);

export function initPresets() {
  const box = $("preset-list");
  box.replaceChildren();
  for (const p of PRESETS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "preset";
    b.dataset.preset = p.id;
    b.textContent = p.title;
    b.setAttribute("aria-describedby", "preset-caption");
    b.addEventListener("click", () => applyPreset(p));
    box.append(b);
  }
  // Before the link is written, the preset whose experiment runs shows.
  store.subscribe((kind) => {
    if (kind === "link") showPreset(runningPreset());
  });
  onLoop("frame", showOutcome);
}

let shown = null; // the preset whose caption shows

/** Under a preset's caption, what its runs show now (captions.js): the reader need not work it out. */
function showOutcome() {
  const figures = (label, m) => ({ label, test: m.test_error, train: m.train_error, diverged: m.diverged_at, blowingUp: m.blowing_up_at });
  const runs = shown ? ui.runs.filter((r, i) => store.enabled[i] && r.metrics).map((r) => figures(r.label, r.metrics))
    .concat(ui.reference.map((f) => figures(f.label, f.metrics))) : [];
  const step = Math.max(0, ...ui.runs.map((r) => r.metrics?.step ?? 0));
  const text = outcomeSentence(runs, { step, truthTrain: ui.views.problem?.truthTrain ?? 0 });
  const el = $("preset-result");
  if (el.textContent !== text) el.textContent = text;
}

function applyPreset(p) {
  showPreset(p);
  store.goTo(p.hash); // the hash change applies it (and the URL is the preset)
}

/** Presses preset `p`'s button and shows its caption (null: none). */
function showPreset(p) {
  for (const b of $("preset-list").children) b.setAttribute("aria-pressed", String(b.dataset.preset === p?.id));
  shown = p;
  setReference(p?.reference ?? null);
  $("preset-caption").textContent = p?.caption ?? "";
  showOutcome();
  if (p) $("presets").dataset.preset = p.id;
  else delete $("presets").dataset.preset;
}

/**
 * The preset whose experiment runs, or null: its caption is about that experiment only (a
 * change of a control, a learning rate, a run's on/off, or Back to another one, ends it).
 */
function runningPreset() {
  if (store.isOwnData()) return null;
  const here = store.experimentKey(store.currentConfig(), store.enabled);
  return PRESETS.find((p) => {
    const { config, off } = store.parseLink(`#${p.hash}`);
    return store.experimentKey(config, config.optimizers.map((_, i) => !off.includes(i))) === here;
  }) ?? null;
}
