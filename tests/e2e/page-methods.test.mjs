// End-to-end tests of the page's newer parts in Debian's Chromium (playwright-core): adding and
// removing methods, deep linear networks, the objective's scale and Adam's eps, noise, the
// metric selector, the PCA plot, and the learning-rate sweep in its worker with the tuned race.
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/
//
// Same setup as page.test.mjs: the page served at MCP_BASE_URL with www/pkg/ built; a fresh
// profile; never a downloaded browser.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  foreignRequests, launchWatched, openPage, pause, setValue as setControlValue, sweepGrid as setSweepGrid, waitForHash,
} from "./helpers.mjs";

let browser, page, consoleErrors, pageErrors, requests; // launchWatched's, from before() on

const open = (hash) => openPage(page, hash, { stepping: true });

async function runNames() {
  return page.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run));
}

/** Sets a control and leaves it (a change event). */
const setValue = (id, value) => setControlValue(page, id, value);

/**
 * Waits until every run has reached step n and playing has stopped (a new lab plays to the run
 * length; after a pause it waits at step 0 for Play, pressed here).
 */
async function playedTo(n) {
  const waiting = await page.evaluate(() => document.querySelector("#play").getAttribute("aria-pressed") === "false" &&
    [...document.querySelectorAll("article[data-run]")].every((e) => Number(e.dataset.step) === 0));
  if (waiting) await page.locator("#play").click();
  await page.waitForFunction(
    (n) => document.querySelector("#play").getAttribute("aria-pressed") === "false" &&
      [...document.querySelectorAll("article[data-run]")].every((e) => Number(e.dataset.step) === n),
    n,
    { timeout: 60_000 },
  );
}

/** Sets the sweep's grid (rates from 10^from to 10^to, perDecade a decade) and run length. */
const sweepGrid = (...args) => setSweepGrid(page, ...args);

/** Number of distinct colours on a canvas (a blank one has 1). */
async function distinctColours(selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    const seen = new Set();
    for (let k = 0; k < data.length; k += 16) seen.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2] | (data[k + 3] << 24));
    return seen.size;
  }, selector);
}

describe("methods, models and the learning-rate sweep", { timeout: 150_000 }, () => {
  before(async () => {
    browser = await launchWatched("mcp-e2e-methods-");
    ({ page, consoleErrors, pageErrors, requests } = browser);
    await open();
  });

  after(async () => {
    await browser?.close();
  });

  it("offers every method of the catalog (twenty-eight), the default six checked", async () => {
    const chips = await page.locator("#method-picker input").evaluateAll((els) => els.map((e) => [e.dataset.method, e.checked]));
    assert.equal(chips.length, 28);
    const families = await page.locator("#method-picker .chip-group").evaluateAll((gs) =>
      gs.map((g) => [g.querySelector(".chip-family").textContent, [...g.querySelectorAll("input")].map((e) => e.dataset.method)]));
    assert.deepEqual(families.map(([f]) => f.split(/[ :]/)[0]), ["Classical", "Adaptive", "Sign", "Step", "Second"]);
    assert.ok(families[3][1].includes("muon") && families[2][1].includes("lion"), JSON.stringify(families));
    assert.deepEqual(chips.filter(([, on]) => on).map(([n]) => n).sort(), ["adagrad", "adam", "gd", "momentum", "nesterov", "rmsprop"]);
    assert.equal(await page.locator("#race-badge").getAttribute("data-race"), "equal");
  });

  it("adding Newton and gradient flow makes new panels that step; they have no learning rate", async () => {
    await page.locator("#method-newton").check({ force: true });
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 7);
    await page.locator("#method-gradient_flow").check({ force: true });
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 8);
    assert.deepEqual((await runNames()).slice(6), ["newton", "gradient_flow"]);
    await page.waitForFunction(
      () => ["newton", "gradient_flow"].every((n) => Number(document.querySelector(`article[data-run="${n}"]`).dataset.step) >= 5),
      null,
      { timeout: 30_000 },
    );
    for (const n of ["newton", "gradient_flow"]) {
      const panel = page.locator(`article[data-run="${n}"]`);
      assert.equal(await panel.locator(".lr-input").count(), 0, `${n} shows a learning rate`);
      assert.match((await panel.locator('[data-testid="hyper"]').textContent()) || "", /no learning rate/);
      assert.ok(Number.isFinite(Number(await panel.getAttribute("data-test-error"))));
    }
    // Gradient flow shows its time t; GD shows its time t too (its rates added up).
    const flowTime = Number(await page.locator('article[data-run="gradient_flow"]').getAttribute("data-time"));
    assert.ok(flowTime > 0, `gradient flow's time ${flowTime}`);
    assert.ok(await page.locator('article[data-run="gradient_flow"] [data-field="time"]').isVisible());
    assert.ok(await page.locator('article[data-run="gd"] [data-field="time"]').isVisible());
    assert.equal(await page.locator('article[data-run="adam"] [data-field="time"]').isVisible(), false);
    // The angles are shown with an explanation.
    const angle = page.locator('article[data-run="adam"] [data-field="angleTruth"]');
    assert.notEqual(await angle.textContent(), "–");
    assert.match((await angle.locator("xpath=..").getAttribute("title")) || "", /angle/);
    assert.deepEqual(consoleErrors, [], "console errors after adding methods");
  });

  it("plots any figure against step, against time t for GD and gradient flow, or against gradient evaluations", async () => {
    await setValue("time-metric", "subspace_angle_truth");
    assert.match((await page.locator("#time-title").textContent()) || "", /angle to W\*/i);
    await setValue("time-x", "time");
    assert.match((await page.locator("#time-title").textContent()) || "", /time t/);
    await page.waitForTimeout(200);
    assert.ok((await distinctColours("#test-error-plot")) > 3, "the time plot is blank");
    // The fair clock: every run that computes gradients, Newton and gradient flow included.
    await setValue("time-x", "gradient_evaluations");
    assert.match((await page.locator("#time-title").textContent()) || "", /against gradient evaluations/);
    assert.match(await page.locator("#time-caption").textContent(), /two per Hessian–vector product/);
    await page.waitForFunction(() => /[#&]x=gradient_evaluations(&|$)/.test(location.hash));
    await page.waitForTimeout(200);
    assert.ok((await distinctColours("#test-error-plot")) > 5, "the time plot is blank");
    await setValue("time-x", "step");
    await setValue("time-metric", "test_error");
  });

  it("removing a run rebuilds the lab without it", async () => {
    await page.locator('article[data-run="newton"] [data-testid="remove-run"]').click();
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 7);
    assert.equal(await page.locator("#method-newton").isChecked(), false);
    await page.locator("#method-gradient_flow").uncheck({ force: true });
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 6);
  });

  it("depth 2 with Newton is refused with a message, and the previous runs keep going", async () => {
    await page.locator("#method-newton").check({ force: true });
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 7);
    const before = await runNames();
    await setValue("depth", "2");
    const error = page.locator("#config-error");
    await error.waitFor({ state: "visible" });
    assert.match((await error.textContent()) || "", /Newton.*depth/i);
    // The message sits in the group of the control that was changed.
    assert.equal(await error.evaluate((e) => e.closest("fieldset")?.classList.contains("model")), true);
    assert.deepEqual(await runNames(), before);
    assert.equal(await page.locator("#truth-panel").getAttribute("data-rows"), "30");
    const s = Number(await page.locator("#step-counter").getAttribute("data-step"));
    await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s, s);
    // Back to depth 1 (the start goes back to the seen entries), then without Newton.
    await setValue("depth", "1");
    await error.waitFor({ state: "hidden" });
    assert.equal(await page.locator("#init").inputValue(), "observed");
    // The runs step again before the next change (a change while the last one is still being
    // applied was once put back by the picker in a full-suite run).
    const s1 = Number(await page.locator("#step-counter").getAttribute("data-step"));
    await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s, s1);
    await page.locator("#method-newton").uncheck({ force: true });
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 6);
  });

  it("depth 3 switches to a gaussian start, says so, and runs", async () => {
    await setValue("depth", "3");
    await page.waitForFunction(() => document.querySelector("#init").value === "gaussian");
    assert.ok(await page.locator("#model-note").isVisible());
    assert.match((await page.locator("#model-note").textContent()) || "", /depth 1 only/);
    assert.ok(await page.locator("#config-error").isHidden());
    assert.equal(await page.locator("#init-scale").isDisabled(), false);
    await page.waitForFunction(() => Number(document.querySelector('article[data-run="adam"]').dataset.step) > 20);
    await waitForHash(page, /depth=3/);
    assert.match(page.url(), /init=gaussian/);
    const figs = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => Number(e.dataset.testError)));
    assert.ok(figs.every(Number.isFinite), `test errors ${figs}`);
    await setValue("depth", "1");
    await page.waitForFunction(() => document.querySelector("#init").value === "observed");
  });

  it("noise σ shows Y beside W*, and the test error is still against W*", async () => {
    assert.equal(await page.locator("#truth-y").isHidden(), true);
    await setValue("noise", "0.2");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.noise === "0.2");
    assert.ok(await page.locator("#observations-heatmap").isVisible());
    assert.ok((await distinctColours("#observations-heatmap")) > 3);
    const noise = Number((await page.locator("#truth-noise").textContent()) || "NaN");
    assert.ok(noise > 0.05 && noise < 1, `noise in Y ${noise}`);
    await setValue("noise", "0");
    await page.waitForFunction(() => document.querySelector("#truth-y").hidden);
  });

  it("the PCA of the trajectories is drawn", async () => {
    // Paused first: the PCA is computed only while its plot is on screen (and #play is not).
    await pause(page);
    await page.locator("#pca-plot").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => Number(document.querySelector("#pca-plot").dataset.step) > 0, null, { timeout: 20_000 });
    assert.ok((await distinctColours("#pca-plot")) > 5, "the PCA plot is blank");
    const explained = ((await page.locator("#pca-plot").getAttribute("data-explained")) || "").split(",").map(Number);
    assert.ok(explained[0] > 0 && explained[0] <= 1 && explained[1] >= 0, `explained ${explained}`);
  });

  it("scale c and Adam's eps apply: with eps 1e-12 Adam's path does not depend on c", async () => {
    await setValue("steps", "40");
    // Two Adams: the default eps and 1e-12.
    await page.locator('article[data-run="adam"] [data-testid="copy-run"]').click();
    await page.waitForFunction(() => document.querySelectorAll('article[data-run="adam"]').length === 2);
    await setValue("eps-1", "1e-12");
    await page.waitForFunction(() => document.querySelector("#eps-1")?.value === "1e-12");
    await waitForHash(page, /eps=,1e-12/);
    await playedTo(40);
    const errs = async () => page.locator('article[data-run="adam"]').evaluateAll((els) =>
      els.map((e) => ({ step: Number(e.dataset.step), test: Number(e.dataset.testError) })));
    const c1 = await errs();
    await setValue("scale", "1000");
    await page.waitForFunction(() => /scale=1000/.test(location.hash));
    await playedTo(40);
    const c1000 = await errs();
    assert.equal(c1[0].step, 40);
    assert.equal(c1000[0].step, 40);
    const rel = (a, b) => Math.abs(a - b) / Math.abs(b);
    assert.ok(rel(c1000[1].test, c1[1].test) < 1e-6, `eps 1e-12: ${c1[1].test} at c=1, ${c1000[1].test} at c=1000`);
    assert.ok(rel(c1000[0].test, c1[0].test) > 1e-5, `eps 1e-8: ${c1[0].test} at c=1, ${c1000[0].test} at c=1000`);
    // Back to the default experiment.
    await setValue("scale", "1");
    await page.locator("#remove-1").click();
    await page.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 6);
    await setValue("steps", "3000");
  });

  it("a sweep on a small problem runs in a worker to 100% while the page keeps playing", async () => {
    await setValue("rows", "10");
    await setValue("cols", "10");
    await setValue("observed", "50");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "10");
    await sweepGrid("-2", "2", "1", "quick");
    await page.locator("#sens-run").click();
    await page.waitForFunction(() => document.querySelector("#sensitivity").dataset.state === "done", null, { timeout: 60_000 });
    const progress = await page.locator("#sens-progress").evaluate((p) => ({ value: p.value, done: p.dataset.done, total: p.dataset.total }));
    assert.equal(progress.value, 1);
    assert.equal(progress.total, String(6 * 5));
    assert.equal(progress.done, progress.total);
    assert.equal(await page.locator("#sens-best tbody tr").count(), 6);
    assert.match((await page.locator("#sens-protocol").textContent()) || "", /300 steps/);
    assert.ok((await distinctColours("#sens-plot")) > 5, "the sensitivity plot is blank");
    assert.equal(await page.locator("#race-tuned").isEnabled(), true);
  });

  it("cancel stops a sweep midway and the page stays responsive", async () => {
    await setValue("rows", "30");
    await setValue("cols", "30");
    await setValue("observed", "300");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "30");
    await sweepGrid("-4", "3", "2", "full");
    if ((await page.locator("#play").getAttribute("aria-pressed")) === "false") await page.locator("#play").click();
    await page.locator("#sens-run").click();
    await page.waitForFunction(() => Number(document.querySelector("#sens-progress").dataset.done) >= 1, null, { timeout: 30_000 });
    const s = Number(await page.locator("#step-counter").getAttribute("data-step"));
    await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s + 10, s);
    await page.locator("#sens-cancel").click();
    assert.equal(await page.locator("#sensitivity").getAttribute("data-state"), "cancelled");
    const value = await page.locator("#sens-progress").evaluate((p) => p.value);
    assert.ok(value > 0 && value < 1, `progress ${value}`);
    assert.match((await page.locator("#sens-status").textContent()) || "", /cancelled/);
    assert.equal(await page.locator("#race-tuned").isDisabled(), true);
    const done = await page.locator("#sens-progress").getAttribute("data-done");
    await page.waitForTimeout(700);
    assert.equal(await page.locator("#sens-progress").getAttribute("data-done"), done, "cells kept coming after cancel");
  });

  it("on the default experiment, the tuned race gives GD a learning rate above 1", async () => {
    await open(); // the default experiment, fresh
    await sweepGrid("-2", "2", "1", "quick");
    await page.locator("#sens-run").click();
    await page.waitForFunction(() => document.querySelector("#sensitivity").dataset.state === "done", null, { timeout: 90_000 });
    await page.locator("#race-tuned").click();
    await page.waitForFunction(() => document.querySelector("#race-badge").dataset.race === "tuned");
    const gd = Number(await page.locator('article[data-run="gd"] .lr-input').inputValue());
    const adam = Number(await page.locator('article[data-run="adam"] .lr-input').inputValue());
    assert.ok(gd > 1, `GD's tuned rate ${gd}`);
    assert.ok(gd / adam >= 100, `GD ${gd} vs Adam ${adam}`);
    // The sentence about GD (tuned furthest from 0.01) is the sweep's on screen: its best rate and
    // test error and the rates where it found W* as the sweep's table gives them, and this run length.
    const caption = (await page.locator("#race-caption").textContent()) || "";
    const row = await page.locator('#sens-best tr[data-run="gd"] td').allTextContents();
    const said = caption.match(/In the sweep \(300 steps each\), GD's final test error is ([^:]*): it finds W\* \(test error below 0\.05\) ([^.,]*)/);
    assert.ok(said, caption);
    assert.ok(said[1].includes(`${row[2].trim()} at ${row[1].trim()}`), `GD's best (${row}) in: ${said[1]}`);
    if (row[3].trim() === "no rate") assert.equal(said[2], "at no rate in 300 steps");
    else assert.match(said[2], new RegExp(`^only (at|from) ${row[3].trim().replace(/\./g, "\\.").replace(" to ", " to ")}`));
    assert.match(caption, /The sweep ran 300 steps a run and this race runs 3000/);
    await waitForHash(page, /tuned=-2,2,1,300/);
    // A hand-made change ends the tuned race; equal rates bring back the first race.
    await page.locator("#race-equal").click();
    await page.waitForFunction(() => document.querySelector("#race-badge").dataset.race === "equal");
    assert.equal(await page.locator('article[data-run="gd"] .lr-input').inputValue(), "0.01");
  });

  it("flags a run that is blowing up (Rprop at 0.01, seed 1) and reports no test error for it", async () => {
    await open("#seed=1&steps=120&m=rprop,adam&lr=0.01,0.01");
    await playedTo(120);
    const rprop = page.locator('article[data-run="rprop"]');
    const at = Number(await rprop.getAttribute("data-blowing-up-at"));
    assert.ok(at > 0 && at <= 120, `flagged at ${at}`);
    assert.match(await rprop.locator(".run-status").textContent(), new RegExp(`blowing up since step ${at}.*10 times the data's size`));
    assert.equal(await page.locator('article[data-run="adam"]').getAttribute("data-blowing-up-at"), "");
  });

  it("made no console errors, no page errors, and only same-origin requests", async () => {
    assert.deepEqual(pageErrors, [], "page errors");
    assert.deepEqual(consoleErrors, [], "console errors");
    assert.deepEqual(foreignRequests(requests), [], "requests to other origins");
  });
});
