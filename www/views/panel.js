// One run's panel: its name and controls (on/off, learning rate or its own hyper-parameters,
// eps, copy, remove), its current W as a heatmap, its singular values and its figures.
// The panel only reads what it is given (its method's about text, rule and hyper-parameter names
// come from the catalog, info.catalog); changes go out through the callbacks.

import { Heatmap, ColourBar } from "./heatmap.js";
import { SingularValueBars } from "./bars.js";
import { formatFigure, formatNumber } from "./axes.js";
import { hyperText } from "../catalog.js";
import { ruleDetails } from "./rules.js";

export const LR_MIN_EXP = -5; // the learning-rate sliders span 10^-5 … 10^4 (any value can be typed)
export const LR_MAX_EXP = 4;

/** A learning rate in its text box: four significant digits (0.003162 for 10^-2.5). */
export function lrText(v) {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

export function lrToSlider(lr) {
  if (!(lr > 0)) return LR_MIN_EXP;
  return Math.min(LR_MAX_EXP, Math.max(LR_MIN_EXP, Math.round(Math.log10(lr) * 10) / 10));
}

/** What the singular-value bars show, in plain words (their label's tooltip). */
export const SV_HELP = "Singular values: how much each of the matrix's patterns weighs, largest first, on a log scale. The black ticks (▬) are W*'s: only a few matter.";

const NO_TEST = "n/a: every entry is seen, so there are no unseen entries to test on";

/** The figures in every panel: key, name, explanation (the row's tooltip). */
const FIGURES = [
  ["step", "step", "Steps taken so far"],
  ["time", "time t", ""],
  ["test", "test error", "How far W is from W* on the entries nobody sees: ‖W − W*‖ over those entries, relative to ‖W*‖ there. 1 is the start; 0 is W* found."],
  ["train", "train error", "How far W is from the seen values Y: ‖W − Y‖ over the seen entries, relative to ‖Y‖ there."],
  ["erank", "eff. rank", "Effective rank: roughly how many patterns W is made of (how many singular values matter; Roy & Vetterli 2007). W* has about its rank."],
  ["angleTruth", "angle to W*", "Whether W points where W* does: 0 when W's main directions are exactly W*'s, 1 when one of W*'s is missing altogether (the sine of the largest angle between their top-r column spaces, r = rank of W*)."],
  ["angleStart", "angle to start", "How far W has turned away from where it began (the same angle, between W and the start W₀). Near 0: it still points where the start did (it has not left the start's column space). Values below 10⁻¹² (rounding in the arithmetic) show as 0."],
];

/** Below this an angle is rounding in the arithmetic (2·10⁻¹⁵ at the start, say): shown as 0. */
export const ANGLE_ZERO = 1e-12;
const angleText = (v) => (Number.isFinite(v) && Math.abs(v) < ANGLE_ZERO ? "0" : formatFigure(v));

const MORE = [
  ["objective", "objective f", "The loss being minimised: c · (fit + λ · penalty)."],
  ["ratio", "ratio ‖W‖*/‖W‖F", "Nuclear over Frobenius norm: the ratio penalty; small when few singular values dominate."],
  ["nuclear", "nuclear ‖W‖*", "Nuclear norm: the sum of the singular values."],
  ["frobenius", "Frobenius ‖W‖F", "Frobenius norm: the root of the sum of squared entries."],
];

function figureRow(key, name, about) {
  const d = document.createElement("div");
  if (about) d.title = about;
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.dataset.field = key;
  dd.textContent = "–";
  d.append(dt, dd);
  return [d, dd];
}

/** <label for=id>text</label>, with `sr` after it for screen readers only (whose control it is). */
function labelFor(id, text, sr) {
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = text;
  const span = document.createElement("span");
  span.className = "sr-only";
  span.textContent = sr;
  label.append(span);
  return label;
}

/** A text box for a number (decimal keyboard, no autocomplete or spell check); `commit(text)` on change and on Enter. */
function numberBox(id, className, value, commit) {
  const box = document.createElement("input");
  box.type = "text";
  box.inputMode = "decimal";
  box.id = id;
  box.className = className;
  box.autocomplete = "off";
  box.spellcheck = false;
  box.value = value;
  box.addEventListener("change", () => commit(box.value));
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter") commit(box.value);
  });
  return box;
}

/** One of the panel's small action buttons: its text, tooltip and accessible name. */
function actionButton(className, id, testid, text, title, ariaLabel) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.id = id;
  b.dataset.testid = testid;
  b.textContent = text;
  b.title = title;
  b.setAttribute("aria-label", ariaLabel);
  return b;
}

export class RunPanel {
  /**
   * @param {HTMLElement} parent
   * @param {{index: number, name: string, label: string, lr: number|undefined, opt: object,
   *          enabled: boolean, colour: string, slot: number, canRemove: boolean, catalog}} info
   * @param {{onEnable, onLearningRate, onEps, onRemove, onCopy}} on callbacks (this panel, value)
   */
  constructor(parent, info, on) {
    // A destroyed panel answers nothing: removing a focused input fires its "change" (on blur)
    // while the page is replacing the panels, which would start a second replacement inside it.
    on = Object.fromEntries(Object.entries(on).map(([k, f]) => [k, (...a) => (this.destroyed ? undefined : f(...a))]));
    this.destroyed = false;
    const i = info.index;
    this.index = i;
    this.name = info.name;
    this.label = info.label || info.name;
    this.colour = info.colour;
    this.slot = info.slot;
    this.enabled = info.enabled;
    this.lr = info.lr;
    this.opt = info.opt || {};
    this.hasLr = info.lr !== undefined && info.lr !== null;
    this.shown = {};
    this.metrics = null;
    const label = this.label;

    const el = document.createElement("article");
    this.el = el;
    el.className = "panel run";
    el.dataset.run = info.name;
    el.dataset.index = String(i);
    el.dataset.slot = String(info.slot);
    el.style.setProperty("--run-colour", info.colour);
    el.setAttribute("aria-labelledby", `run-title-${i}`);
    if (info.slot >= 8) el.classList.add("dashed");

    // Name, then a row of actions.
    const head = document.createElement("header");
    head.className = "panel-head";
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.setAttribute("aria-hidden", "true");
    const h = document.createElement("h2");
    h.id = `run-title-${i}`;
    h.textContent = label;
    h.title = info.catalog?.about(info.name) ?? label;
    head.append(sw, h);

    const actions = document.createElement("div");
    actions.className = "panel-actions";
    const onWrap = document.createElement("span");
    onWrap.className = "field check toggle";
    const onBox = document.createElement("input");
    onBox.type = "checkbox";
    onBox.id = `on-${i}`;
    onBox.checked = info.enabled;
    onBox.dataset.testid = "run-enabled";
    onWrap.append(onBox, labelFor(onBox.id, "on", ` (${label})`));
    const copy = actionButton("icon-button", `copy-${i}`, "copy-run", "copy",
      `Add a second ${label} run (to compare its settings, e.g. eps); starts over`, `Add a copy of ${label} (starts over)`);
    const remove = actionButton("icon-button remove", `remove-${i}`, "remove-run", "×",
      `Remove ${label} (starts over)`, `Remove ${label} (starts over)`);
    remove.disabled = !info.canRemove;
    this.copyButton = copy;
    this.removeButton = remove;
    actions.append(onWrap, copy, remove);

    // The learning rate (hot), or the method's own hyper-parameters (read-only).
    const knobs = document.createElement("div");
    knobs.className = "knobs";
    if (this.hasLr) {
      const lrRow = document.createElement("div");
      lrRow.className = "lr-row";
      const lrLabel = labelFor(`lr-${i}`, "learning rate", ` for ${label}`);
      const lr = numberBox(`lr-${i}`, "lr-input", lrText(info.lr), (v) => on.onLearningRate(this, v, "text"));
      const sliderLabel = document.createElement("label");
      sliderLabel.htmlFor = `lr-slider-${i}`;
      sliderLabel.className = "sr-only";
      sliderLabel.textContent = `learning rate for ${label}, log scale`;
      const slider = document.createElement("input");
      slider.type = "range";
      slider.id = `lr-slider-${i}`;
      slider.className = "lr-slider";
      slider.min = String(LR_MIN_EXP);
      slider.max = String(LR_MAX_EXP);
      slider.step = "0.1";
      slider.value = String(lrToSlider(info.lr));
      slider.setAttribute("aria-valuetext", String(info.lr));
      lrRow.append(lrLabel, lr, sliderLabel, slider);
      knobs.append(lrRow);
      this.lrInput = lr;
      this.slider = slider;
      slider.addEventListener("input", () => {
        const v = Number((10 ** Number(slider.value)).toPrecision(2));
        on.onLearningRate(this, String(v), "slider");
      });
    } else {
      const p = document.createElement("p");
      p.className = "hyper";
      p.dataset.testid = "hyper";
      p.textContent = `no learning rate · ${hyperText(this.opt, info.catalog)}`;
      p.title = info.catalog?.about(info.name) ?? "";
      knobs.append(p);
    }
    if (this.opt.eps !== undefined) {
      const epsRow = document.createElement("div");
      epsRow.className = "eps-row";
      const epsLabel = labelFor(`eps-${i}`, "eps", ` for ${label} (a change starts over)`);
      epsLabel.title = "A tiny number added before dividing by the gradients' running size, so that a step never divides by zero. If it is not far below the gradients (here 10⁻⁶–10⁻⁴ per entry), the step depends on the loss's scale c. Changing it starts every run over from step 0.";
      const eps = numberBox(`eps-${i}`, "eps-input", String(this.opt.eps), (v) => on.onEps(this, v));
      const note = document.createElement("span");
      note.className = "muted restart-note";
      note.textContent = "starts over";
      note.setAttribute("aria-hidden", "true");
      note.title = "Changing eps starts every run over from step 0 (a learning rate does not)";
      epsRow.append(epsLabel, eps, note);
      knobs.append(epsRow);
      this.epsInput = eps;
    }
    const error = document.createElement("p");
    error.className = "error small";
    error.setAttribute("role", "alert");
    error.hidden = true;
    this.errorBox = error;

    const visual = document.createElement("div");
    visual.className = "visual";
    this.heatmap = new Heatmap(visual, { label: `Heatmap of ${label}'s current matrix` });
    this.colourBar = new ColourBar(visual);
    const barsLabel = document.createElement("div");
    barsLabel.className = "bars-label";
    barsLabel.textContent = "singular values (log), ▬ W*";
    barsLabel.title = SV_HELP;
    visual.append(barsLabel);
    this.bars = new SingularValueBars(visual, {
      colour: info.colour,
      label: `Singular values of ${label}'s current matrix, log scale`,
    });

    const figures = document.createElement("dl");
    figures.className = "figures";
    this.fig = {};
    this.rows = {};
    for (const [key, name, about] of FIGURES) {
      let n = name;
      let a = about;
      if (key === "time") {
        n = "time t";
        a = info.name === "gd"
          ? "How far gradient descent has got, counted as gradient flow's time: its learning rates added up (t = Σ rates). At small rates GD and gradient flow reach the same place at the same t."
          : "How far along the smooth downhill path (dW/dt = −∇f(W): always straight down the slope) the solver has got.";
      }
      const [row, dd] = figureRow(key, n, a);
      if (key === "time") row.hidden = true;
      figures.append(row);
      this.fig[key] = dd;
      this.rows[key] = row;
    }

    const more = document.createElement("details");
    more.className = "more";
    const summary = document.createElement("summary");
    summary.textContent = "more figures";
    const moreList = document.createElement("dl");
    moreList.className = "figures";
    for (const [key, name, about] of MORE) {
      const [row, dd] = figureRow(key, name, about);
      moreList.append(row);
      this.fig[key] = dd;
    }
    const hyper = document.createElement("p");
    hyper.className = "hyper small";
    hyper.textContent = hyperText(this.opt, info.catalog, ["name"]);
    this.hyper = hyper;
    this.catalog = info.catalog;
    more.append(summary, moreList, hyper);

    const status = document.createElement("p");
    status.className = "run-status";
    status.dataset.testid = "run-status";
    this.status = status;

    const rule = ruleDetails(info.catalog?.rule(info.name) ?? null, info.name);
    el.append(head, actions, knobs, error, visual, figures, more, rule, status);
    parent.append(el);
    el.classList.toggle("off", !info.enabled);

    onBox.addEventListener("change", () => on.onEnable(this, onBox.checked));
    copy.addEventListener("click", () => on.onCopy(this));
    remove.addEventListener("click", () => on.onRemove(this));
  }

  destroy() {
    this.destroyed = true;
    this.el.remove();
    this.bars.destroy();
    this.colourBar.destroy();
  }

  setEnabled(on) {
    this.enabled = on;
    this.el.classList.toggle("off", !on);
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = false;
  }

  clearError() {
    this.errorBox.hidden = true;
    this.errorBox.textContent = "";
  }

  /** Shows a learning rate that was accepted (the text box, the slider, or both). */
  showLearningRate(v, from) {
    // "more figures" names the rate too: keep it current.
    if (this.hyper && this.opt) {
      this.opt = { ...this.opt, learning_rate: v };
      this.hyper.textContent = hyperText(this.opt, this.catalog, ["name"]);
    }
    this.lr = v;
    if (!this.lrInput) return;
    this.clearError();
    this.lrInput.removeAttribute("aria-invalid");
    if (from !== "text") this.lrInput.value = lrText(v);
    if (from !== "slider") this.slider.value = String(lrToSlider(v));
    this.slider.setAttribute("aria-valuetext", String(v));
  }

  /** The figures of the current step (only the text that changed is written). */
  showFigures(m) {
    const set = (key, text) => {
      if (this.shown[key] !== text) {
        this.shown[key] = text;
        this.fig[key].textContent = text;
      }
    };
    set("step", String(m.step));
    const hasTime = m.time !== null && m.time !== undefined;
    if (this.rows.time.hidden === hasTime) this.rows.time.hidden = !hasTime;
    if (hasTime) set("time", formatNumber(m.time));
    // Every entry seen: there are no test entries, so the test error does not exist.
    set("test", Number.isFinite(m.test_error) ? formatFigure(m.test_error) : "n/a");
    if (!Number.isFinite(m.test_error) && this.fig.test.title !== NO_TEST) this.fig.test.title = NO_TEST;
    set("train", formatFigure(m.train_error));
    set("erank", Number.isFinite(m.effective_rank) ? m.effective_rank.toFixed(2) : formatNumber(m.effective_rank));
    set("angleTruth", angleText(m.subspace_angle_truth));
    set("angleStart", angleText(m.subspace_angle_start));
    set("objective", formatFigure(m.objective));
    set("ratio", formatFigure(m.ratio));
    set("nuclear", formatFigure(m.nuclear_norm));
    set("frobenius", formatFigure(m.frobenius_norm));
    const d = this.el.dataset;
    d.step = String(m.step);
    d.testError = String(m.test_error);
    d.trainError = String(m.train_error);
    d.effectiveRank = String(m.effective_rank);
    d.angleTruth = String(m.subspace_angle_truth);
    d.angleStart = String(m.subspace_angle_start);
    d.time = hasTime ? String(m.time) : "";
    const diverged = m.diverged_at !== null;
    d.divergedAt = diverged ? String(m.diverged_at) : "";
    this.el.classList.toggle("diverged", diverged);
    d.blowingUpAt = m.blowing_up_at ?? "";
    let status = "";
    let reason = "";
    if (diverged) {
      status = `diverged at step ${m.diverged_at}`;
      // The core writes ‖W‖_F (TeX style); the page writes ‖W‖F with a subscript-like F.
      reason = String(m.diverged_reason || "").replace(/‖_F/g, "‖F").replace(/‖_\*/g, "‖*");
    } else if (m.blowing_up_at !== null && m.blowing_up_at !== undefined) {
      // The core flags a run whose ‖W‖F passed 10× the data's size (src/lab.rs, BLOW_UP_FACTOR).
      status = `blowing up since step ${m.blowing_up_at}`;
      reason = `‖W‖F passed 10 times the data's size (now ${formatFigure(m.frobenius_norm)}): its figures are no completion of the data`;
    } else if (!this.enabled) status = "off: not stepping";
    if (this.shown.status !== status + reason) {
      this.shown.status = status + reason;
      const head = document.createElement("strong");
      head.textContent = status;
      this.status.replaceChildren(...(status ? [head] : []));
      if (reason) {
        const why = document.createElement("span");
        why.className = "reason";
        why.textContent = reason;
        this.status.append(why);
      }
    }
  }
}
