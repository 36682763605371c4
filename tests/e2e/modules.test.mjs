// Unit tests of the page's pure modules (no browser needed): URL state, error messages, axes.
//
//   node --test tests/e2e/modules.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { configFromHash, configToHash, explainLabError, parseField, PROBLEM_FIELDS } from "../../www/config.js";
import { decadeRange, formatFigure, formatPow10, linearTicks, logTicks } from "../../www/views/axes.js";
import { DIVERGING, TABLE_SIZE, runColour } from "../../www/colormap.js";

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

  it("ignores unknown keys and unparsable numbers", () => {
    const { config, off } = configFromHash("#rows=abc&foo=1&lr=x,2", DEFAULTS);
    assert.equal(config.problem.rows, 30);
    assert.equal(config.optimizers[0].learning_rate, 0.01);
    assert.equal(config.optimizers[1].learning_rate, 2);
    assert.deepEqual(off, []);
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
  });

  it("maps a lab error's config path to the control and its name", () => {
    assert.deepEqual(explainLabError("problem.rank: must be between 1 and min(rows, cols) = 30, got 99"), {
      fieldId: "rank",
      text: "rank: must be between 1 and min(rows, cols) = 30, got 99",
    });
    assert.equal(explainLabError("objective.lambda: must be >= 0").fieldId, "lambda");
    assert.deepEqual(explainLabError("something else"), { fieldId: null, text: "something else" });
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
});
