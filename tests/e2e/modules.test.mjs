// Unit tests of the page's pure modules (no browser needed): URL state, error messages, axes.
//
//   node --test tests/e2e/modules.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { configFromHash, configToHash } from "../../www/url.js";
import { decimalNumber, explainLabError, parseField, PROBLEM_FIELDS } from "../../www/schema.js";
import { limitsError, networkParameters, sizeError } from "../../www/limits.js";
import { decadeRange, formatFigure, formatPow10, linearTicks, logTicks } from "../../www/views/axes.js";
import { DIVERGING, RUN_COLOURS, TABLE_SIZE, assignSlots, runColour, runDash, runMarker } from "../../www/colormap.js";
import { gridSize, parseProtocol, sweptMethods, tunedConfig } from "../../www/engine/sweep.js";
import { distinctLabels, formatParam, hyperText, makeCatalog, methodGroups } from "../../www/catalog.js";
import { outcomeSentence } from "../../www/captions.js";
import { readFileSync } from "node:fs";
import init, { Lab } from "../../www/pkg/mc_playground.js";

// The core's own catalog (Lab.methods()), as the page reads it: labels, hyper-parameter names, colours.
await init({ module_or_path: readFileSync(new URL("../../www/pkg/mc_playground_bg.wasm", import.meta.url)) });
const CATALOG = makeCatalog(JSON.parse(Lab.methods()));
import { paddedRange, pcLabel } from "../../www/views/pca.js";
import { drawEndLabels, linearRange, tracePath } from "../../www/views/lineplot.js";
import { overlaySize } from "../../www/views/heatmap.js";

/** Lab.methods() for the methods the tests use. */
const METHODS = [
  { name: "adam", learning_rate: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bias_correction: true },
  { name: "gd", learning_rate: 0.001, weight_decay: 0 },
  { name: "newton", damping: 0.0001, max_cg: 30 },
  { name: "gradient_flow", rtol: 0.0001, atol: 0.0001 },
];

const DEFAULTS = {
  problem: { rows: 30, cols: 30, rank: 2, observed: 300, noise: 0, seed: 0 },
  model: { init: "observed", init_scale: 0.001 },
  objective: { penalty: "ratio", lambda: 0.01 },
  steps: 3000,
  optimizers: [
    { name: "adam", learning_rate: 0.01 },
    { name: "gd", learning_rate: 0.01 },
  ],
};

describe("the experiment in the URL", () => {
  it("writes nothing for the default experiment", () => {
    assert.equal(configToHash(DEFAULTS, [true, true], DEFAULTS), "");
  });

  it("round-trips changed values, learning rates and switched-off runs", () => {
    const c = structuredClone(DEFAULTS);
    c.problem.rows = 20;
    c.problem.seed = 7;
    c.objective.penalty = "nuclear";
    c.objective.lambda = 0.5;
    c.steps = 100;
    c.optimizers[1].learning_rate = 1000;
    const hash = configToHash(c, [true, false], DEFAULTS);
    const { config, off } = configFromHash(hash, DEFAULTS);
    assert.deepEqual(config, c);
    assert.deepEqual(off, [1]);
  });

  it("round-trips the model, the loss's scale, noise, methods, eps and the tuned race", () => {
    const c = structuredClone(DEFAULTS);
    c.problem.noise = 0.1;
    c.model = { depth: 3, init: "gaussian", init_scale: 0.01 };
    c.objective.scale = 1000;
    c.optimizers = [
      { ...METHODS[0], learning_rate: 0.01, eps: 1e-12 },
      { ...METHODS[2] },
      { ...METHODS[1], learning_rate: 100 },
    ];
    const hash = configToHash(c, [true, true, false], { ...DEFAULTS, model: { depth: 1, init: "observed", init_scale: 0.001 } },
      { methods: METHODS, tuned: "-4,3,2,3000" });
    assert.match(hash, /m=adam,newton,gd/);
    assert.match(hash, /lr=0\.01,,100/);
    assert.match(hash, /eps=1e-12,,/);
    assert.match(hash, /tuned=-4,3,2,3000/);
    const { config, off, tuned } = configFromHash(hash, { ...DEFAULTS, model: { depth: 1, init: "observed", init_scale: 0.001 } }, { methods: METHODS });
    assert.deepEqual(config, c);
    assert.deepEqual(off, [2]);
    assert.equal(tuned, "-4,3,2,3000");
  });

  it("round-trips every hyper-parameter of every method in the core's catalog", () => {
    // Each field off its default: numbers doubled (or 0.5 where the default is null or zero), whole
    // numbers plus one, switches flipped, names and lists changed. The loss's own "scale" stays.
    const off = (v) => {
      if (typeof v === "boolean") return !v;
      if (typeof v === "string") return `${v}_other`;
      if (Array.isArray(v)) return v.map((x) => x + 0.25);
      if (v === null || v === 0) return 0.5;
      return Number.isInteger(v) && v > 1 ? v + 1 : v * 2;
    };
    const methods = CATALOG.configs;
    const c = structuredClone(DEFAULTS);
    c.objective.scale = 1000;
    c.optimizers = methods.map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === "name" ? v : off(v)])));
    const hash = configToHash(c, methods.map(() => true), DEFAULTS, { methods });
    for (const key of ["ns_steps", "nesterov", "ns_coefficients", "adjust_lr_fn", "opt_scale", "eps1", "beta3", "d_coef", "eta_plus"]) {
      assert.match(hash, new RegExp(`[#&]${key}=`), `${key} is in the link`);
    }
    assert.match(hash, /[#&]scale=1000(&|$)/);
    const back = configFromHash(hash, DEFAULTS, { methods });
    assert.deepEqual(back.ignored, []);
    assert.deepEqual(back.config, c);
    // At their defaults, no method writes a hyper-parameter.
    const plain = { ...DEFAULTS, optimizers: structuredClone(methods) };
    assert.doesNotMatch(configToHash(plain, methods.map(() => true), DEFAULTS, { methods }), /[&#](ns_steps|nesterov|eps1|opt_scale|eps|beta1)=/);
  });

  it("reads a method's own hyper-parameters as its defaults' types and names what it cannot read", () => {
    const methods = CATALOG.configs;
    const { config, ignored } = configFromHash(
      "#m=muon,prodigy,adam&nesterov=0,,&ns_coefficients=1:-2:0.5,,&beta3=,null,&bc=,,1&ns_steps=x,,", DEFAULTS, { methods });
    assert.equal(config.optimizers[0].nesterov, false);
    assert.deepEqual(config.optimizers[0].ns_coefficients, [1, -2, 0.5]);
    assert.equal(config.optimizers[0].ns_steps, 5);
    assert.equal(config.optimizers[1].beta3, null);
    assert.equal(config.optimizers[2].bias_correction, true);
    assert.deepEqual(ignored, ["ns_steps=x"]);
  });

  it("ignores unknown keys and unparsable numbers", () => {
    const { config, off } = configFromHash("#rows=abc&foo=1&lr=x,2", DEFAULTS);
    assert.equal(config.problem.rows, 30);
    assert.equal(config.optimizers[0].learning_rate, 0.01);
    assert.equal(config.optimizers[1].learning_rate, 2);
    assert.deepEqual(off, []);
  });

  it("writes every field of the core's problem, model and objective, a deep network's width included", () => {
    // The core's config schema (src/config.rs): every field that changes a run, each off its
    // default. (Your own data, problem.truth and observed_entries, is never put in the link.)
    const c = {
      problem: { rows: 20, cols: 25, rank: 3, observed: 200, noise: 0.1, seed: 7 },
      model: { depth: 2, width: 3, init: "gaussian", init_scale: 0.1 },
      objective: { penalty: "nuclear", lambda: 0.5, scale: 10 },
      steps: 100,
      optimizers: [{ name: "adam", learning_rate: 0.01 }],
    };
    const hash = configToHash(c, [true], null);
    for (const key of ["rows", "cols", "rank", "observed", "noise", "seed", "depth", "width", "init", "iscale", "penalty", "lambda", "scale", "steps"]) {
      assert.match(hash, new RegExp(`[#&]${key}=`), key);
    }
    assert.deepEqual(configFromHash(hash, DEFAULTS).config, c);
    // No width in the link: the core's (max(m, n)).
    assert.equal(configFromHash("#depth=2", DEFAULTS).config.model.width, undefined);
  });

  it("uses a key's first value and says that the others were ignored", () => {
    const { config, ignored } = configFromHash("#rows=12&cols=9&rows=20&rows=abc&foo=1&foo=2", DEFAULTS);
    assert.equal(config.problem.rows, 12);
    assert.equal(config.problem.cols, 9);
    assert.deepEqual(ignored, ["rows after its first value (given 3 times)", "foo"]);
  });
});

describe("control values and lab errors", () => {
  const field = (id) => PROBLEM_FIELDS.find((f) => f.id === id);

  it("parses whole numbers and rejects the rest with the field's name", () => {
    assert.equal(parseField(field("rows"), " 12 "), 12);
    assert.throws(() => parseField(field("rows"), "1.5"), /rows: enter a whole number/);
    assert.throws(() => parseField(field("rank"), ""), /rank: enter a number/);
    assert.throws(() => parseField(field("seed"), "-1"), /seed: enter a number of at least 0/);
    assert.equal(parseField(field("lambda"), "0.25"), 0.25);
    assert.equal(parseField(field("penalty"), "none"), "none");
    // Decimal numbers only, as in JSON: Number() also reads hex, binary and "Infinity" (an
    // adversarial tester's learning rate 0x10 ran at 16).
    for (const t of ["0x10", "0b1", "0o7", "Infinity", "1_000", "1e", "."]) {
      assert.ok(Number.isNaN(decimalNumber(t)), t);
      assert.throws(() => parseField(field("lambda"), t), /λ: enter a number/, t);
    }
    for (const [t, v] of [["1", 1], [" -2.5 ", -2.5], [".5", 0.5], ["5.", 5], ["1e-3", 0.001], ["+3E2", 300]]) assert.equal(decimalNumber(t), v, t);
    const { config, ignored } = configFromHash("#m=adam,gd&lr=0x10,0.5&rows=0x20", DEFAULTS);
    assert.deepEqual(ignored.sort(), ["lr=0x10", "rows=0x20"]);
    assert.equal(config.optimizers[1].learning_rate, 0.5);
    assert.equal(config.optimizers[0].learning_rate, undefined);
  });

  it("refuses in a whole config the run lengths and seeds the controls refuse, naming the config path", () => {
    assert.equal(limitsError({ steps: 3000, problem: { seed: Number.MAX_SAFE_INTEGER } }), "");
    assert.equal(limitsError({}), "");
    assert.match(limitsError({ steps: 0 }), /^steps: enter a whole number from 1 to 10⁸, got 0$/);
    assert.match(limitsError({ steps: 1e8 + 1 }), /^steps: /);
    assert.match(limitsError({ problem: { seed: 2 ** 60 } }), /^problem\.seed: enter a number from 0 to 2⁵³ − 1, got /);
    assert.match(limitsError({ problem: { seed: 1.5 } }), /^problem\.seed: enter a whole number/);
    // Mapped to the seed control, as the core's errors are.
    assert.equal(explainLabError(limitsError({ problem: { seed: -1 } })).fieldId, "seed");
  });

  it("maps a lab error's config path to the control and its name", () => {
    assert.deepEqual(explainLabError("problem.rank: must be between 1 and min(rows, cols) = 30, got 99"), {
      fieldId: "rank",
      runIndex: null,
      text: "rank: must be between 1 and min(rows, cols) = 30, got 99",
    });
    assert.equal(explainLabError("objective.lambda: must be >= 0").fieldId, "lambda");
    assert.equal(explainLabError("model.depth: must be between 1 and 6, got 7").fieldId, "depth");
    assert.equal(explainLabError("objective.scale: must be a finite number > 0, got 0").fieldId, "scale");
    assert.deepEqual(explainLabError("something else"), { fieldId: null, runIndex: null, text: "something else" });
  });

  it("names the run of an optimizer's error", () => {
    const labels = ["Adam", "GD", "Newton"];
    assert.deepEqual(
      explainLabError("optimizers[2].name: newton runs on the direct parameterization only (model.depth 1), got depth 2", labels, CATALOG),
      { fieldId: null, runIndex: 2, text: "Newton runs on the direct parameterization only (model.depth 1), got depth 2" },
    );
    assert.equal(explainLabError("optimizers[0].eps: must be a finite number >= 0, got -1", labels, CATALOG).text,
      "Adam eps: must be a finite number >= 0, got -1");
    assert.equal(explainLabError("optimizers[1].name: unknown method", labels, CATALOG).text, "GD: unknown method");
    assert.equal(explainLabError("optimizers: at most 16 optimizers, got 17").text, "methods: at most 16 optimizers, got 17");
  });
});

describe("axes and colours", () => {
  it("covers the data with whole decades", () => {
    assert.deepEqual(decadeRange(0.013, 1), { lo: -2, hi: 0 });
    assert.deepEqual(decadeRange(1, 1), { lo: -1, hi: 0 });
    assert.deepEqual(decadeRange(1e-30, 10, 12), { lo: -11, hi: 1 });
    const { majors } = logTicks(-8, 0, 5);
    assert.ok(majors.length <= 5 && majors[0] === 0);
  });

  it("makes round linear ticks", () => {
    assert.deepEqual(linearTicks(0, 3000, 6), [0, 500, 1000, 1500, 2000, 2500, 3000]);
    assert.deepEqual(linearTicks(1, 5, 4), [1, 2, 3, 4, 5]);
  });

  it("formats figures for people", () => {
    assert.equal(formatPow10(-2), "0.01");
    assert.equal(formatPow10(-5), "10⁻⁵");
    assert.equal(formatFigure(0.99924), "0.999");
    assert.equal(formatFigure(0.0136414), "0.0136");
    assert.equal(formatFigure(4.6e-4), "4.60×10⁻⁴");
    assert.equal(formatFigure(null), "–");
  });

  it("has a diverging table that is light in the middle and a colour per run", () => {
    assert.equal(DIVERGING.length, TABLE_SIZE);
    const mid = DIVERGING.css[Math.floor(TABLE_SIZE / 2)];
    const [r, g, b] = mid.match(/\d+/g).map(Number);
    assert.ok(r > 230 && g > 230 && b > 230, `middle colour ${mid}`);
    assert.notEqual(runColour(0), runColour(3));
  });

  it("gives eight runs their own colour, then dashes and squares", () => {
    assert.equal(new Set(RUN_COLOURS).size, 8);
    for (let i = 0; i < 8; i++) {
      assert.equal(runColour(i), RUN_COLOURS[i]);
      assert.deepEqual(runDash(i), []);
      assert.equal(runMarker(i), "circle");
    }
    assert.equal(runColour(8), runColour(0));
    assert.ok(runDash(8).length > 0);
    assert.equal(runMarker(8), "square");
  });

  it("never gives a copy or another method black (the axes' and the text's colour) while another colour is free", () => {
    const black = RUN_COLOURS.indexOf("#000000");
    assert.ok(black >= 0);
    // The "Scale invariance" preset: two Adams and GD.
    assert.ok(!assignSlots(["adam", "adam", "gd"], [], CATALOG.slot).includes(black));
    for (const names of [["adam", "adam"], ["gd", "gradient_flow", "newton"], ["adam", "gd", "gd", "gd", "gd", "gd", "gd"]]) {
      const slots = assignSlots(names, [], CATALOG.slot);
      assert.equal(new Set(slots).size, slots.length);
      assert.ok(!slots.includes(black), `${names}: ${slots}`);
    }
  });

  it("keeps each method's colour across experiments, and a run's colour when others come and go", () => {
    assert.deepEqual(assignSlots(["adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov"], [], CATALOG.slot), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(assignSlots(["gd", "gradient_flow", "adam"], [], CATALOG.slot), [3, 7, 0]);
    assert.deepEqual(assignSlots(["adam", "adam", "newton"], [], CATALOG.slot), [0, 7, 2]);
    // Kept slots stay; a new run takes its own slot if free, else a free one.
    assert.deepEqual(assignSlots(["adam", "gd", "gd"], [0, 3, null], CATALOG.slot), [0, 3, 7]);
    assert.deepEqual(assignSlots(["soft_impute", "adam"], [6, null], CATALOG.slot), [6, 0]);
    const many = assignSlots(["adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov", "adamw", "amsgrad", "nadam", "newton"], [], CATALOG.slot);
    assert.deepEqual(many.slice(8), [8, 9]);
    assert.equal(new Set(many).size, many.length);
  });

  it("makes round linear ranges", () => {
    assert.deepEqual(linearRange(0.3, 9.7, 5), { lo: 0, hi: 10, ticks: [0, 2, 4, 6, 8, 10] });
    const flat = linearRange(2, 2);
    assert.ok(flat.lo < 2 && flat.hi > 2);
  });
});

describe("the sweep, hyper-parameters and PCA labels", () => {
  it("checks the grid and counts its rates", () => {
    assert.equal(gridSize(-4, 3, 2), 15);
    assert.deepEqual(parseProtocol({ from: "-4", to: "3", perDecade: "2", steps: "3000" }), { from: -4, to: 3, perDecade: 2, steps: 3000 });
    assert.throws(() => parseProtocol({ from: "3", to: "-4", perDecade: "2", steps: "10" }), /lowest rate is above/);
    assert.throws(() => parseProtocol({ from: "-4", to: "3", perDecade: "0", steps: "10" }), /rates per decade/);
    assert.throws(() => parseProtocol({ from: "-12", to: "12", perDecade: "20", steps: "10" }), /at most 200/);
    assert.throws(() => parseProtocol({ from: "x", to: "3", perDecade: "2", steps: "10" }), /whole number/);
  });

  it("sweeps only the methods with a learning rate and tunes each to its best", () => {
    const config = { optimizers: [{ name: "adam", learning_rate: 0.01 }, { name: "newton", damping: 1e-4 }, { name: "gd", learning_rate: 0.01 }] };
    assert.deepEqual(sweptMethods(config), [0, 2]);
    const tuned = tunedConfig(config, [
      { optimizer: 0, learning_rate: 0.01, test_error: 0.01 },
      { optimizer: 2, learning_rate: 100, test_error: 0.02 },
    ]);
    assert.equal(tuned.optimizers[2].learning_rate, 100);
    assert.equal(tuned.optimizers[1].learning_rate, undefined);
    assert.equal(config.optimizers[2].learning_rate, 0.01, "the input config was changed");
    // A method that diverged at every rate keeps its rate.
    assert.equal(tunedConfig(config, [{ optimizer: 2, learning_rate: 1000, test_error: Infinity }]).optimizers[2].learning_rate, 0.01);
  });

  it("writes hyper-parameters and PCA axes for people", () => {
    assert.equal(formatParam(0.0001), "10⁻⁴");
    assert.equal(formatParam(30), "30");
    assert.equal(formatParam(true), "on");
    assert.equal(hyperText({ name: "newton", damping: 0.0001, max_cg: 30 }, CATALOG), "damping 10⁻⁴ · CG steps ≤ 30");
    // A field's label is its own method's: ASGD's alpha is a power, RMSProp's a decay.
    assert.equal(hyperText({ name: "asgd", alpha: 0.75 }, CATALOG), `${CATALOG.get("asgd").hyper.find((h) => h.name === "alpha").label} 0.75`);
    assert.notEqual(CATALOG.hyperLabel("alpha", "asgd"), CATALOG.hyperLabel("alpha", "rmsprop"));
    assert.equal(pcLabel(1, 0.6234), "PC1 (62% of the variance)");
    assert.equal(pcLabel(2, 0.054), "PC2 (5.4% of the variance)");
    assert.equal(pcLabel(2, 0), "PC2");
  });

  it("groups the picker's methods by family, each method once, in the catalog's order within a family", () => {
    const groups = methodGroups(CATALOG);
    assert.deepEqual(groups.map((g) => g.id), ["classical", "adaptive", "sign", "spectral", "solver"]);
    assert.deepEqual(groups.flatMap((g) => g.methods.map((m) => m.name)).sort(), CATALOG.list.map((m) => m.name).sort());
    const spectral = groups.find((g) => g.id === "spectral").methods.map((m) => m.name);
    for (const name of ["normalized_gd", "spectral_descent", "muon", "shampoo"]) assert.ok(spectral.includes(name), name);
    assert.deepEqual(groups.find((g) => g.id === "sign").methods.map((m) => m.name).slice(0, 3), ["sign_sgd", "signum", "lion"]);
    // A family the page does not know yet still shows, under its own name.
    const more = makeCatalog([...CATALOG.list, { name: "new_one", family: "quantum" }]);
    assert.deepEqual(methodGroups(more).at(-1), { id: "quantum", label: "quantum", methods: [{ name: "new_one", label: "new_one", about: "new_one" }] });
  });

  it("reports no test error for a run that diverged or is blowing up, and leaves both out of the comparisons", () => {
    const text = outcomeSentence([
      { label: "Rprop", test: 7.9, train: 3, diverged: null, blowingUp: 48 },
      { label: "GD", test: 50, train: 9, diverged: 12, blowingUp: 5 },
      { label: "Adam", test: 0.02, train: 0.004, diverged: null, blowingUp: null },
    ], { step: 3000 });
    assert.match(text, /Rprop blowing up since step 48, GD diverged at step 12, Adam 0\.02/);
    assert.doesNotMatch(text, /7\.9|further from W\*/);
    assert.match(text, /Closest to W\*: Adam\./);
  });

  it("tells runs with the same label apart by what differs from the first one", () => {
    const adam = { name: "adam", learning_rate: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, bias_correction: true };
    const runs = [
      { label: "Adam", opt: adam },
      { label: "Adam", opt: { ...adam, eps: 1e-12 } },
      { label: "GD", opt: { name: "gd", learning_rate: 0.01 } },
      { label: "Adam", opt: { ...adam, learning_rate: 0.1 } }, // only the (hot) rate differs
      { label: "Adam", opt: { ...adam, beta2: 0.99, eps: 1e-12 } },
      { label: "Adam", opt: adam },
    ];
    assert.deepEqual(distinctLabels(runs, CATALOG),
      ["Adam", "Adam (eps 10⁻¹²)", "GD", "Adam (2)", "Adam (β₂ 0.99 · eps 10⁻¹²)", "Adam (3)"]);
    assert.deepEqual(distinctLabels([{ label: "Adam", opt: adam }, { label: "Adam (no bias correction)", opt: adam }], CATALOG),
      ["Adam", "Adam (no bias correction)"]);
  });

  it("pads the PCA plot's range so that the end dots at its edges are drawn whole", () => {
    const r = paddedRange([[[0, 0], [10, -2]], [[0, 0], [-5, 2]]], 0.1);
    assert.deepEqual(r.x, [-6.5, 11.5]);
    assert.deepEqual(r.y, [-2.4, 2.4]);
    // One point (nothing has moved yet): a range around it, never an empty one.
    const one = paddedRange([[[3, 0]]], 0.1);
    assert.ok(one.x[0] < 3 && one.x[1] > 3 && one.y[0] < 0 && one.y[1] > 0);
    assert.equal(paddedRange([[]]), null);
  });
});

describe("line plots", () => {
  /** The path `tracePath` makes, as [op, x, y] triples. */
  function trace(s, X, Y, ok = (x, y) => Number.isFinite(x) && Number.isFinite(y)) {
    const ops = [];
    tracePath({ moveTo: (x, y) => ops.push(["M", x, y]), lineTo: (x, y) => ops.push(["L", x, y]) }, s, X, Y, ok);
    return ops;
  }

  it("leave out the points within half a pixel of the last one drawn, and no other", () => {
    // 3000 steps of a noisy decay on a 400-pixel-wide plot.
    const len = 3000;
    const x = Float64Array.from({ length: len }, (_, k) => k);
    const y = Float64Array.from({ length: len }, (_, k) => Math.exp(-k / 500) * (1 + 0.002 * Math.sin(k * 1.7)));
    const X = (v) => 10 + (400 * v) / len;
    const Y = (v) => 300 - 250 * v;
    const ops = trace({ x, y, len }, X, Y);
    assert.equal(ops[0][0], "M");
    assert.ok(ops.length < len / 2, `${ops.length} of ${len} points drawn`);
    // The last point is drawn; every point is within half a pixel (in x and y) of the last
    // point drawn before or at it.
    assert.deepEqual(ops.at(-1), ["L", X(len - 1), Y(y[len - 1])]);
    let d = 0;
    for (let k = 0; k < len; k++) {
      const [px, py] = [X(x[k]), Y(y[k])];
      if (d + 1 < ops.length && ops[d + 1][1] === px && ops[d + 1][2] === py) d++;
      assert.ok(Math.abs(px - ops[d][1]) < 0.5 && Math.abs(py - ops[d][2]) < 0.5, `point ${k}`);
    }
    // Points a pixel apart are all drawn.
    assert.equal(trace({ x, y: new Float64Array(len), len: 50 }, (v) => v, () => 0).length, 50);
  });

  it("break the line at points that cannot be drawn, each piece ending at its last point", () => {
    const x = [0, 0.1, 0.2, 1, 1.1, 5];
    const y = [1, 1, 1, NaN, 1, 1];
    assert.deepEqual(trace({ x, y, len: 6 }, (v) => v, (v) => v), [
      ["M", 0, 1], ["L", 0.2, 1], ["M", 1.1, 1], ["L", 5, 1],
    ]);
  });
});

describe("heatmap overlays", () => {
  it("have the heatmap's shape on the page, so that dots stay round, at 4 to 24 pixels a cell", () => {
    // The page's box: cols : rows, stretched to at most 1 : 6.
    const box = (rows, cols) => Math.min(6, Math.max(1 / 6, cols / rows));
    for (const [rows, cols] of [[30, 30], [1, 200], [200, 1], [200, 200], [5, 4], [1, 12], [12, 1], [64, 30], [1, 1]]) {
      const [w, h, cw, ch] = overlaySize(rows, cols);
      assert.ok(Math.abs(w / h - box(rows, cols)) / box(rows, cols) < 0.02, `${rows}×${cols}: ${w}×${h} is not the box's shape`);
      assert.equal(cw, w / cols);
      assert.equal(ch, h / rows);
      assert.ok(Math.max(w, h) <= 1600 && Math.min(cw, ch) >= 4, `${rows}×${cols}: ${w}×${h}, cells ${cw}×${ch}`);
    }
    assert.deepEqual(overlaySize(30, 30), [480, 480, 16, 16]);
    // Thin: cells as wide as high would be round dots only where the box is not stretched.
    const [, , cw, ch] = overlaySize(1, 200);
    assert.equal(cw, 4);
    assert.ok(ch > cw, "a 1 × 200 matrix's box is stretched to 1 : 6, its cells taller than wide");
  });
});


describe("the page's size limit", () => {
  it("counts a deep network's parameters, not only the entries of W", () => {
    // An adversarial tester: depth 6, width 1000 on 10 × 10 with 16 runs blocked the page 9.5 s.
    assert.equal(networkParameters(10, 10, { depth: 1, width: 1000 }), 0);
    assert.equal(networkParameters(10, 10, { depth: 6, width: 1000 }), 10 * 1000 + 4 * 1000 * 1000 + 1000 * 10);
    assert.equal(networkParameters(40, 40, { depth: 3 }), 3 * 40 * 40); // width max(m, n)
    const adam = { name: "adam" };
    const deep = { problem: { rows: 10, cols: 10 }, model: { depth: 6, width: 1000 }, optimizers: [adam] };
    assert.match(sizeError(deep), /depth-6 network of width 1000 on 10 × 10 has 4,020,000 parameters/);
    assert.match(sizeError({ model: { depth: 6, width: 1000 } }), /on 30 × 30/, "the default problem when rows and cols are left out");
    // The depth preset (40 × 40, depth 3) and the default experiment stay allowed.
    assert.equal(sizeError({ problem: { rows: 40, cols: 40 }, model: { depth: 3 }, optimizers: Array(6).fill(adam) }), "");
    assert.equal(sizeError({ optimizers: Array(6).fill(adam) }), "");
    // Summed over the runs with the parameters when they are more than the entries.
    const many = { problem: { rows: 100, cols: 100 }, model: { depth: 3, width: 100 }, optimizers: Array(16).fill(adam) };
    assert.match(sizeError(many), /^16 runs of 100 × 100 \(30,000 parameters each\) are too many .* at most 10 at this size/);
  });
});

describe("end labels", () => {
  it("share a row where lines end together, and stay beside their lines", () => {
    const drawn = [];
    const ctx = {
      measureText: (t) => ({ width: 6 * t.length }),
      fillText: (t, x, y) => drawn.push([t, x, y]),
      strokeText() {},
      beginPath() {},
      arc() {},
      fill() {},
      stroke() {},
    };
    // The default experiment at step 3000 on a log plot: GD, Momentum and Nesterov end within
    // a pixel or two near the top, AdaGrad lower, Adam and RMSProp near the bottom. Pushed
    // apart one by one, Nesterov's label sat 24 px below its line, beside AdaGrad's.
    const at = (label, y) => ({ x: 300, y, label, colour: "#000" });
    const rows = drawEndLabels(ctx, [at("Adam", 190), at("GD", 20), at("Momentum", 21.5), at("Nesterov", 21.5),
      at("AdaGrad", 60), at("RMSProp", 183)], 40, 320, 10, 200);
    assert.deepEqual(rows.map((r) => r.labels), [["GD", "Momentum", "Nesterov"], ["AdaGrad"], ["RMSProp"], ["Adam"]]);
    assert.ok(Math.abs(rows[0].y - 21) < 1 && rows[1].y === 60, JSON.stringify(rows));
    assert.ok(rows[3].y - rows[2].y >= 12, "overlapping rows are still spread");
    // One row, each name in turn from the left (near the right edge: left of the lines' end).
    const row = drawn.filter(([, , y]) => y === rows[0].y).map(([t, x]) => [t, x]);
    assert.deepEqual(row.map(([t]) => t), ["GD, ", "Momentum, ", "Nesterov"]);
    assert.ok(row[0][1] < row[1][1] && row[1][1] < row[2][1] && row[2][1] + 6 * 8 <= 300 - 8);
  });
});
