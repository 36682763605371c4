// A preset's reference runs: the race's experiment with one change (the depth preset's GD at
// depth 1), raced beside it on the same problem: stepped to the race's step (engine/reference.js),
// drawn in the shared plots as grey dotted lines named at their ends (ui.reference, read by the
// loop's render), and counted in the preset's outcome line.

import { ReferenceLab } from "../engine/reference.js";
import { legendEntry } from "../views/legend.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { REFERENCE_STYLE, historyNames, onLoop, requestRender } from "./loop.js";

/** Steps a reference run may take per frame (it follows the race; a depth-1 step is cheap). */
const STEPS_PER_FRAME = 200;

const ref = { spec: null, key: "", lab: null, timer: 0 };

export function initReference() {
  ui.reference = [];
  onLoop("frame", follow);
  onLoop("rewound", rebuild);
  store.subscribe((kind) => {
    if (kind === "reset") setReference(null); // a new experiment; its preset, if any, sets it again
  });
}

/**
 * Races `spec` = {change: config → variant config, suffix: " at depth 1"} beside the running
 * experiment, or nothing (null). The same spec for the same experiment keeps the runs as they are.
 */
export function setReference(spec) {
  const config = spec && store.lab ? spec.change(store.currentConfig()) : null;
  const key = config ? JSON.stringify(config) : "";
  if (key === ref.key) return;
  ref.spec = spec;
  ref.key = key;
  rebuild();
}

/** The reference runs again from step 0 (a new one, a Reset), and their legend entries. */
function rebuild() {
  clearTimeout(ref.timer);
  try {
    ref.lab?.free();
  } catch { /* its core trapped and was replaced (loop.js): nothing left to free */ }
  ref.lab = null;
  ui.reference = [];
  if (ref.key) {
    try {
      ref.lab = new ReferenceLab(store.core, JSON.parse(ref.key));
    } catch (err) {
      console.warn("mc-playground: the reference run could not start:", err);
      ref.key = "";
    }
  }
  const legend = document.getElementById("legend");
  for (const li of legend.querySelectorAll("li.reference")) li.remove();
  if (ref.lab) {
    for (const label of labels()) {
      const li = legendEntry({ name: "reference", label, enabled: true, ...REFERENCE_STYLE });
      li.classList.add("reference");
      li.title = `${label}: the same experiment with that one change, raced beside it for comparison (grey dotted line)`;
      legend.append(li);
    }
  }
  follow();
  requestRender();
}

/** The reference runs' names: their runs' names with the change ("GD at depth 1"). */
function labels() {
  return JSON.parse(ref.key).optimizers.map((_, i) => `${ui.runs[i]?.label ?? "run"}${ref.spec.suffix}`);
}

/** Steps the reference runs towards the race's step; what is left waits for a timer (paused, say). */
function follow() {
  clearTimeout(ref.timer);
  if (!ref.lab) return;
  const target = Math.max(0, ...ui.runs.map((r) => r.metrics?.step ?? 0));
  const done = ref.lab.follow(target, STEPS_PER_FRAME, historyNames());
  const names = labels();
  ui.reference = ref.lab.frames.map((f, i) => ({ ...f, label: names[i] }));
  if (!done) {
    ref.timer = setTimeout(() => {
      follow();
      requestRender();
    }, 0);
  }
}
