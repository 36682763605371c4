// The explorable essay (story.html): seven numbered steps, one shown at a time (a stepper reached
// by #step-N, not scroll-jacking), each with prose and one live figure. A figure is the playground
// in a frame (frame.js), made when its step is first shown, or the learning-rate sweep drawn
// inline (step 4). Comparison steps run their race at once, so the figure already shows the
// finished run; the steps with a question (predict.js) wait for the reader's answer. Every
// number in the prose is written here from a run's metrics (data-res) or its config (data-fig).

import { readHash, goToHash, configFromHash } from "../url.js";
import { makeCatalog } from "../catalog.js";
import { PRESETS } from "../presets.js";
import { loadCore } from "../engine/core.js";
import { Sweep } from "../engine/sweep.js";
import { ReferenceLab } from "../engine/reference.js";
import { runColour, runDash, runMarker } from "../colormap.js";
import { SensitivityPlot, RECOVERED } from "../views/sensitivity.js";
import { LabFrame } from "./frame.js";
import { methodChoices, pow10, rateText, sliderChoice, status, verdictTable } from "./predict.js";

const $ = (id) => document.getElementById(id);
const presetHash = (id) => PRESETS.find((p) => p.id === id).hash;

/** Each step's figure: its experiment (a link's hash) and what it asks first, if anything. */
const FIGURES = {
  problem: { hash: "m=adam&lr=0.01", title: "The problem: W*, its seen entries, and Adam at step 0", run: false },
  race: { hash: "m=gd,momentum,adam&lr=0.01,0.01,0.01", title: "GD, momentum and Adam at the learning rate 0.01", ask: "race" },
  scale: { hash: "scale=0.000001&m=adam,adam,gd&lr=0.01,0.01,0.01&eps=,1e-12,", title: "The loss times 10⁻⁶: Adam with eps 10⁻⁸ and 10⁻¹², and GD" },
  sweep: { hash: "m=gd,adam&lr=0.01,0.01", sweep: { from: -3, to: 4, perDecade: 2 }, ask: "rate" },
  step: { hash: presetHash("step"), title: "GD, normalised GD, Adam, sign SGD, spectral descent and Muon: the step's length and shape", ask: "spectrum" },
  // First the same GD at depth 1 (the preset's reference run), then at depth 3, which stays on screen.
  depth: { hash: presetHash("depth"), title: "GD on a product of three matrices from a tiny start, no penalty",
    first: PRESETS.find((p) => p.id === "depth").reference.change },
  noise: { hash: presetHash("noise"), title: "Noisy observations: Adam, RMSProp and GD at its tuned rate" },
};

const core = { defaults: null, catalog: null, loaded: null };
const results = {}; // figure name → the metrics reply of its run
const figures = {}; // figure name → {frame, config}
const sections = [...document.querySelectorAll(".story-step")];

/** A number for the prose: 3 significant digits, or a power of ten for small ones. */
function numText(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v !== 0 && Math.abs(v) < 1e-3) {
    const e = Math.floor(Math.log10(Math.abs(v)));
    const mantissa = Number((v / 10 ** e).toPrecision(2));
    return mantissa === 1 ? pow10(e) : `${mantissa}·${pow10(e)}`;
  }
  return Math.abs(v) >= 100 ? String(Math.round(v)) : v.toPrecision(3);
}

/** The run a key names in a metrics reply: its index ("0") or its method's name (the first such run). */
function runOf(reply, key) {
  return /^\d+$/.test(key) ? reply.runs[Number(key)] : reply.runs.find((r) => r.name === key);
}

/**
 * Writes a figure's numbers into the prose: data-res="metric" (the step) or "run.metric", and
 * "figure:run.metric" for another figure's run (or a note that it has not run yet).
 */
function fillResults(root, name, reply, extra = {}) {
  // A number without a figure's name is its own step's figure's.
  const own = root.closest(".story-step")?.querySelector("[data-figure]")?.dataset.figure;
  for (const el of root.querySelectorAll("[data-res]")) {
    const [fig, ref] = el.dataset.res.includes(":") ? el.dataset.res.split(":") : [own, el.dataset.res];
    if (fig !== name) continue;
    el.textContent = valueOf(reply, ref, extra);
  }
  for (const el of root.querySelectorAll(".story-after")) el.hidden = false;
}

function valueOf(reply, ref, extra) {
  if (ref in extra) return extra[ref];
  if (ref === "step") return String(Math.max(...reply.runs.map((r) => r.step)));
  const [key, metric] = ref.split(".");
  const run = runOf(reply, key);
  return run ? numText(run[metric]) : "—";
}

/** Numbers of another figure that has not run yet link to its step (they fill in once it has). */
function markCrossReferences() {
  for (const el of document.querySelectorAll("[data-res*=':']")) {
    const fig = el.dataset.res.split(":")[0];
    if (results[fig]) fillResults(el.parentElement, fig, results[fig]);
    else if (fig in FIGURES) {
      const n = sections.findIndex((s) => s.querySelector(`[data-figure=${fig}]`)) + 1;
      const a = Object.assign(document.createElement("a"), { href: `#step-${n}`, textContent: `(run step ${n} to measure it)` });
      el.replaceChildren(a);
    }
  }
}

/** The facts of a figure's config the prose names (data-fig). */
function facts(config, extra = {}) {
  const p = config.problem;
  return {
    rows: p.rows, cols: p.cols, rank: p.rank, observed: p.observed, minmn: Math.min(p.rows, p.cols),
    steps: config.steps, rate: config.optimizers[0]?.learning_rate, scale: config.objective?.scale,
    noise: p.noise, ...Object.fromEntries(config.optimizers.flatMap((o, i) => [[`lr.${i}`, o.learning_rate], [`eps.${i}`, o.eps]])), ...extra,
  };
}

function fillFacts(section, values) {
  for (const el of section.querySelectorAll("[data-fig]")) {
    const v = values[el.dataset.fig];
    // A config's number as the link writes it (0.01, 3000), small ones as powers of ten.
    if (typeof v === "number") el.textContent = v !== 0 && Math.abs(v) < 1e-3 ? numText(v) : rateText(v);
    else if (v !== undefined && v !== null) el.textContent = String(v);
  }
  const recovered = section.querySelector("[data-const=recovered]");
  if (recovered) recovered.textContent = String(RECOVERED);
}

function configOf(hash) {
  return configFromHash(`#${hash}`, core.defaults, { methods: core.catalog.configs }).config;
}

/** Makes step `section`'s figure (once) and, for a comparison, runs it to its end. */
function showFigure(section) {
  const holder = section.querySelector("[data-figure]");
  const name = holder.dataset.figure;
  if (figures[name]) return;
  const def = FIGURES[name];
  const config = configOf(def.hash);
  figures[name] = { config };
  holder.querySelector(".story-noscript")?.remove();
  if (def.sweep) {
    fillFacts(section, facts(config, { from: def.sweep.from, to: def.sweep.to, "sweep-steps": config.steps }));
    sweepFigure(section, config, def.sweep);
    return;
  }
  fillFacts(section, facts(config));
  const frame = new LabFrame(holder, def.hash, def.title);
  figures[name].frame = frame;
  if (def.ask === "race") askRace(section, frame, config);
  else if (def.ask === "spectrum") askSpectrum(section, frame, config);
  else if (def.first) runAfter(section, name, frame, config, def.first);
  else if (def.run !== false) runFigure(section, name, frame, config.steps);
}

/**
 * The figure's run, after a variant of it (`first(config)`, e.g. the depth preset's reference at
 * depth 1) run to the same step in a lab of the page's own, not drawn: its numbers are
 * data-res="<name>-first:…".
 */
async function runAfter(section, name, frame, config, first) {
  try {
    const ref = new ReferenceLab(core.loaded, first(config));
    ref.follow(config.steps, config.steps, []);
    results[`${name}-first`] = { runs: ref.frames.map((f) => f.metrics) };
    ref.free();
    fillResults(section, `${name}-first`, results[`${name}-first`]);
  } catch (err) {
    console.warn("story: a figure's first run failed:", err);
  }
  await runFigure(section, name, frame, config.steps);
}

async function runFigure(section, name, frame, steps, box = null) {
  try {
    const reply = await frame.run(steps);
    results[name] = reply;
    fillResults(section, name, reply);
    markCrossReferences();
    return reply;
  } catch (err) {
    if (box) status(box, `The run failed: ${err.message}`);
    console.warn("story: a figure's run failed:", err);
    return null;
  }
}

/** Step 2: which methods will find W*? */
function askRace(section, frame, config) {
  const box = section.querySelector("[data-predict=race]");
  const methods = config.optimizers.map((o) => ({ name: o.name, label: core.catalog.label(o.name) }));
  const choice = methodChoices(box, methods);
  const run = box.querySelector(".predict-run");
  run.addEventListener("click", async () => {
    run.disabled = true;
    status(box, "running…");
    const guess = new Set(choice.guess());
    const reply = await runFigure(section, "race", frame, config.steps, box);
    if (!reply) return;
    status(box, "");
    const rows = reply.runs.map((r) => {
      const found = r.test_error !== null && r.test_error < RECOVERED;
      return { cells: [r.label, guess.has(r.name) ? "finds W*" : "does not", `${found ? "finds W*" : "does not"} (test error ${numText(r.test_error)})`], mark: guess.has(r.name) === found };
    });
    const right = rows.filter((r) => r.mark).length;
    verdictTable(box, ["method", "your guess", `result after ${reply.runs[0].step} steps`], rows, `${right} of ${rows.length} guessed right.`);
  });
}

/** Step 4: where does GD's best learning rate lie? The sweep, drawn inline, with the guess. */
function sweepFigure(section, config, grid) {
  const box = section.querySelector("[data-predict=rate]");
  const plot = new SensitivityPlot($("sweep-plot"));
  const slots = config.optimizers.map((o, i) => core.catalog.slot(o.name) ?? i);
  const style = (i) => ({ colour: runColour(slots[i]), dash: runDash(slots[i]), marker: runMarker(slots[i]) });
  const range = { from: grid.from, to: grid.to };
  const legend = document.createElement("p");
  legend.className = "story-legend";
  for (const [i, o] of config.optimizers.entries()) {
    const key = Object.assign(document.createElement("span"), { textContent: `● ${core.catalog.label(o.name)}` });
    key.style.color = style(i).colour;
    legend.append(key);
  }
  $("sweep-plot").after(legend);
  const input = box.querySelector("input[type=range]");
  input.min = String(grid.from);
  input.max = String(grid.to);
  const choice = sliderChoice(box, (x) => `${pow10(x)} = ${rateText(10 ** x)}`);
  let cells = [];
  let best = [];
  const draw = (empty) => plot.draw(cells, best, style, range, empty, 10 ** choice.guess());
  draw("drag your guess, then run the sweep");
  input.addEventListener("input", () => draw("drag your guess, then run the sweep"));
  const run = box.querySelector(".predict-run");
  run.addEventListener("click", () => {
    run.disabled = true;
    input.disabled = true;
    section.querySelector(".story-guess-key").hidden = false;
    cells = [];
    const sweep = new Sweep({
      onProgress: (done, total) => status(box, `${done} of ${total} runs…`),
      onCell: (cell) => { cells.push(cell); draw(""); },
      onError: (message) => { status(box, `The sweep failed: ${message}`); run.disabled = false; },
      onDone: (report) => {
        best = report.best;
        cells = report.cells;
        draw("");
        status(box, "");
        sweepVerdict(section, box, report, choice.guess(), config);
      },
    });
    sweep.start(config, { ...grid, steps: config.steps });
  });
}

/** The rates at which run `i` found W*: "rates from a to b" (or "no rate of the grid"). */
function windowText(cells, i) {
  const good = cells.filter((c) => c.optimizer === i && c.diverged_at === null && c.test_error < RECOVERED).map((c) => c.learning_rate);
  if (!good.length) return "no rate of the grid";
  const lo = Math.min(...good);
  const hi = Math.max(...good);
  return lo === hi ? `the rate ${rateText(lo)} only` : `rates from ${rateText(lo)} to ${rateText(hi)} (${rateText(Math.log10(hi / lo))} ${Math.log10(hi / lo) === 1 ? "decade" : "decades"})`;
}

function sweepVerdict(section, box, report, guess, config) {
  const at = (i) => report.best.find((b) => b.optimizer === i);
  const gd = at(0);
  const adam = at(1);
  const off = gd ? Math.abs(guess - Math.log10(gd.learning_rate)) : NaN;
  const rows = config.optimizers.map((o, i) => {
    const b = at(i);
    return { cells: [core.catalog.label(o.name), i === 0 ? `${pow10(guess)} = ${rateText(10 ** guess)}` : "", b ? `${rateText(b.learning_rate)} (test error ${numText(b.test_error)})` : "—"] };
  });
  verdictTable(box, ["method", "your guess", "best rate on the grid"], rows,
    Number.isFinite(off) ? (off < 0.75 ? "Right on: your guess is at GD's best rate, give or take half a decade." : `Your guess is ${rateText(off)} decades from GD's best rate.`) : "");
  const extra = {
    "gd.best": gd ? rateText(gd.learning_rate) : "—",
    "gd.best_error": gd ? numText(gd.test_error) : "—",
    "gd.window": windowText(report.cells, 0),
    "adam.window": windowText(report.cells, 1),
    ratio: gd && adam ? rateText(gd.learning_rate / adam.learning_rate) : "—",
  };
  if (gd && adam) {
    const race = Object.assign(document.createElement("a"), {
      href: `index.html#${FIGURES.sweep.hash.replace(/lr=[^&]*/, `lr=${gd.learning_rate},${adam.learning_rate}`)}`,
      textContent: "Race them at these rates in the playground ↗", target: "_blank", rel: "noopener",
    });
    box.querySelector(".predict-verdict").append(race);
  }
  results.sweep = { runs: [] };
  fillResults(section, "sweep", results.sweep, extra);
}

/** Step 5: what does the spectrum of Adam's step look like? */
function askSpectrum(section, frame, config) {
  const box = section.querySelector("[data-predict=spectrum]");
  const input = box.querySelector("input[type=range]");
  const most = Math.min(config.problem.rows, config.problem.cols);
  input.max = String(most);
  const words = (r) => (r <= 1.5 ? "one direction" : r >= 0.6 * most ? "flat: all singular values alike" : "a few large singular values");
  const choice = sliderChoice(box, (r) => `${r} (${words(r)})`);
  const run = box.querySelector(".predict-run");
  run.addEventListener("click", async () => {
    run.disabled = true;
    input.disabled = true;
    status(box, "running…");
    const first = await runFigure(section, "step-first", frame, 1, box);
    const reply = first && await runFigure(section, "step", frame, config.steps - 1, box);
    if (!reply) return;
    fillResults(section, "step", reply, spectrumWords(first, reply, box.dataset.method));
    status(box, "");
    const guess = choice.guess();
    const rows = reply.runs.map((r, i) => ({
      cells: [r.label, r.name === box.dataset.method ? String(guess) : "", numText(first.runs[i].step_stable_rank), numText(r.step_stable_rank), numText(r.test_error)],
    }));
    const real = runOf(first, box.dataset.method)?.step_stable_rank;
    verdictTable(box, ["method", "your guess", "stable rank of step 1", `of step ${reply.runs[0].step}`, "test error"], rows,
      Number.isFinite(real) ? `You guessed ${guess} (${words(guess)}); Adam's first step has stable rank ${numText(real)} of at most ${most} (${words(real)}).` : "");
  });
}

/** Step 5's comparisons, in words from the numbers: Adam's first step against GD's, who found W*. */
function spectrumWords(first, last, method) {
  const a = runOf(first, method)?.step_stable_rank;
  const g = first.runs[0]?.step_stable_rank;
  const ratio = a / g;
  const found = last.runs.filter((r) => r.test_error !== null && r.test_error < RECOVERED);
  const missed = last.runs.filter((r) => !found.includes(r)).map((r) => r.label);
  return {
    "adam-vs-gd": !Number.isFinite(ratio) ? "beside" : ratio > 1.5 ? "flatter than" : ratio < 1 / 1.5 ? "more peaked than" : "close to",
    found: `${found.length} of ${last.runs.length} runs find W*${missed.length ? ` (all but ${missed.join(", ")})` : ""}`,
  };
}

/** The step shown: #step-N (1 by default). */
function currentStep() {
  const m = /^#step-(\d+)$/.exec(readHash(location));
  const n = m ? Number(m[1]) : 1;
  return n >= 1 && n <= sections.length ? n : 1;
}

function show(n, scroll) {
  sections.forEach((s, i) => { s.hidden = i + 1 !== n; });
  for (const [i, a] of [...document.querySelectorAll("#story-steps a")].entries()) {
    if (i + 1 === n) a.setAttribute("aria-current", "step");
    else a.removeAttribute("aria-current");
  }
  $("story-bar").value = n;
  $("story-where").textContent = `Step ${n} of ${sections.length}`;
  $("story-count").textContent = `${n} / ${sections.length}`;
  const prev = $("story-prev");
  const next = $("story-next");
  prev.href = `#step-${Math.max(1, n - 1)}`;
  next.href = `#step-${Math.min(sections.length, n + 1)}`;
  prev.hidden = n === 1;
  next.hidden = n === sections.length;
  document.body.dataset.step = String(n);
  for (const [name, f] of Object.entries(figures)) {
    if (f.frame && sections[n - 1].querySelector(`[data-figure=${name}]`) === null) f.frame.rest();
  }
  if (core.defaults) showFigure(sections[n - 1]);
  markCrossReferences();
  if (scroll) {
    // A step chosen by a link or a key: back to the top, and the step's title takes the focus.
    window.scrollTo({ top: 0 });
    sections[n - 1].querySelector("h2").focus({ preventScroll: true });
  }
}

async function boot() {
  document.body.classList.add("stepped");
  show(currentStep(), false);
  window.addEventListener("hashchange", () => show(currentStep(), true));
  document.addEventListener("keydown", (e) => {
    if (e.target.closest?.("input, textarea, select, button") || e.altKey || e.ctrlKey || e.metaKey) return;
    const n = currentStep() + (e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0);
    if (n !== currentStep() && n >= 1 && n <= sections.length) goToHash(location, `#step-${n}`);
  });
  try {
    core.loaded = await loadCore();
    const { Lab } = core.loaded;
    core.defaults = JSON.parse(Lab.default_config());
    core.catalog = makeCatalog(JSON.parse(Lab.methods()));
  } catch (err) {
    for (const f of document.querySelectorAll("[data-figure]")) f.textContent = `The live figures need WebAssembly, which could not be loaded (${err.message}).`;
    return;
  }
  showFigure(sections[currentStep() - 1]);
}

boot();
