// The sentences captions.js writes about a result, from the numbers given (issue 20: every
// sentence the page writes about a result comes from the result on screen). No browser.
//
//   node --test tests/e2e/captions.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { equalRaceSentence, runFigures, sweepWindowSentence } from "../../www/captions.js";

describe("sentences from the numbers on screen", () => {
  it("runFigures: a run's figures as its panel shows them, or its divergence", () => {
    assert.equal(runFigures({ label: "Adam", test: 0.01375, rank: 2.0459 }), "Adam: test error 0.0138, effective rank 2.05");
    assert.equal(runFigures({ label: "GD", test: 0.9, rank: 3, train: 1e-5 }, ["train", "rank"]), "GD: train error 1.00×10⁻⁵, effective rank 3.00");
    assert.equal(runFigures({ label: "GD", test: NaN, diverged: 12 }), "GD: diverged at step 12");
  });

  it("equalRaceSentence: who found W*, who hardly moves and their steps, at the step shown", () => {
    const runs = [
      { label: "Adam", test: 0.0137, stepNorm: 0.03 },
      { label: "AdaGrad", test: 0.7, stepNorm: 0.3 },
      { label: "GD", test: 0.9992, stepNorm: 2.3e-5 },
      { label: "Momentum", test: 0.998, stepNorm: 2e-4 },
    ];
    assert.equal(equalRaceSentence(runs, { step: 3000 }),
      "At step 3000, Adam has found W* (test error 0.0137, below 0.05); GD and Momentum hardly move (test error 0.998 to 0.999; 1 is the start): " +
      "their last steps moved W by 2.30×10⁻⁵ to 2.00×10⁻⁴, the others' by 0.0300 to 0.300 (‖ΔW‖F).");
    // Nobody found W* or stayed: no claim about either.
    assert.equal(equalRaceSentence([{ label: "Adam", test: 0.5, stepNorm: 0.1 }], { step: 10 }), "At step 10 no run has found W* yet (test error 0.500).");
    assert.equal(equalRaceSentence(runs, { step: 0 }), "");
  });

  it("sweepWindowSentence: the sweep's numbers at whole decades and where the method found W*", () => {
    const points = [[0.01, 0.999], [0.1, 0.99], [1, 0.93], [10, 0.44], [31.6, 0.04], [100, 0.0176], [1000, NaN]]
      .map(([lr, test]) => ({ lr, test, diverged: lr > 500 ? 3 : null }));
    assert.equal(sweepWindowSentence({ label: "GD", steps: 3000, best: 100, points }, 0.01),
      "In the sweep (3000 steps each), GD's final test error is 0.999 at 0.01, 0.990 at 0.1, 0.930 at 1, 0.440 at 10, 0.0176 at 100: " +
      "it finds W* (test error below 0.05) only from 31.6 to 100, 3160 times the equal race's 0.01.");
    const short = points.map((p) => ({ ...p, test: p.test + 0.3 }));
    assert.match(sweepWindowSentence({ label: "GD", steps: 300, best: 100, points: short }, 0.01), /at no rate in 300 steps\.$/);
  });
});
