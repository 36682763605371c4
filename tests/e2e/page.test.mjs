// End-to-end test of the page in Debian's Chromium, driven by playwright-core.
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/
//
// Needs the page served over http at MCP_BASE_URL (scripts/test.sh does this) with the wasm
// module built into www/pkg/. Never downloads a browser: it launches /usr/bin/chromium with a
// fresh profile in a temporary directory.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, foreignRequests, gotoPage, launchWatched, pause, stepCount } from "./helpers.mjs";

let browser, context, page, consoleErrors, pageErrors, requests; // launchWatched's, from before() on

/** data-* figures of every optimizer panel, by name. */
async function runFigures() {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll("article[data-run]")) {
      out[el.dataset.run] = {
        step: Number(el.dataset.step),
        testError: Number(el.dataset.testError),
        effectiveRank: Number(el.dataset.effectiveRank),
        off: el.classList.contains("off"),
      };
    }
    return out;
  });
}

describe("the playground page", { timeout: 180_000 }, () => {
  before(async () => {
    browser = await launchWatched("mcp-e2e-profile-");
    ({ context, page, consoleErrors, pageErrors, requests } = browser);
    await gotoPage(page);
  });

  after(async () => {
    await browser?.close();
  });

  it("loads the wasm core and plays the default experiment at once", async () => {
    await page.waitForFunction(
      () => Number(document.querySelector("#step-counter")?.dataset.step) > 0,
      null,
      { timeout: 30_000 },
    );
    assert.equal(await page.locator("#load-error").isHidden(), true, "the load error box is shown");
    assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "true");
    const runs = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run));
    assert.deepEqual(runs, ["adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov"]);
    const truth = page.locator("#truth-panel");
    assert.equal(await truth.getAttribute("data-rows"), "30");
    assert.equal(await truth.getAttribute("data-cols"), "30");
    assert.equal(await truth.getAttribute("data-observed"), "300");
  });

  it("draws heatmaps that are not blank", async () => {
    const colours = await page.evaluate(() => {
      const canvases = [
        document.querySelector("#truth-heatmap"),
        ...document.querySelectorAll('article[data-run] canvas[data-testid="heatmap"]'),
      ];
      return canvases.map((c) => {
        const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
        const seen = new Set();
        for (let k = 0; k < data.length; k += 4) {
          seen.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2] | (data[k + 3] << 24));
        }
        return { w: c.width, h: c.height, distinct: seen.size };
      });
    });
    assert.equal(colours.length, 7, "W* and six optimizer heatmaps");
    for (const c of colours) {
      assert.equal(c.w, 30);
      assert.equal(c.h, 30);
      assert.ok(c.distinct > 1, `a heatmap has ${c.distinct} distinct colour(s)`);
    }
  });

  it("after a few seconds, Adam's test error is below gradient descent's", async () => {
    await page.waitForFunction(
      () => Number(document.querySelector("#step-counter").dataset.step) >= 300,
      null,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(2000);
    const figs = await runFigures();
    assert.ok(Number.isFinite(figs.adam.testError) && Number.isFinite(figs.gd.testError));
    assert.ok(
      figs.adam.testError < figs.gd.testError,
      `adam ${figs.adam.testError} should be below gd ${figs.gd.testError}`,
    );
    // The figures shown are the same numbers.
    const shown = await page.locator('article[data-run="adam"] [data-field="test"]').textContent();
    assert.ok(shown && shown !== "–", "Adam's test error is displayed");
  });

  it("pause stops the step counter", async () => {
    await pause(page);
    const a = await stepCount(page);
    await page.waitForTimeout(1000);
    const b = await stepCount(page);
    assert.equal(b, a, "the step counter moved while paused");
    assert.ok(a > 0);
  });

  it("step advances by exactly one, then stays paused", async () => {
    await pause(page);
    const a = await stepCount(page);
    await page.locator("#step-once").click();
    await page.waitForFunction((a) => Number(document.querySelector("#step-counter").dataset.step) === a + 1, a);
    await page.waitForTimeout(300);
    assert.equal(await stepCount(page), a + 1);
  });

  it("reset returns every run to step 0", async () => {
    await page.locator("#reset").click();
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "0");
    const figs = await runFigures();
    for (const [name, f] of Object.entries(figs)) assert.equal(f.step, 0, `${name} is at step ${f.step}`);
    // Every run is back at the shared start: the same test error.
    const errs = Object.values(figs).map((f) => f.testError);
    assert.ok(errs.every((e) => Math.abs(e - errs[0]) < 1e-12), `test errors differ at step 0: ${errs}`);
    await page.waitForTimeout(300);
    assert.equal(await stepCount(page), 0, "reset leaves the page paused at step 0");
  });

  it("a change while paused waits at step 0 for Play; while playing it plays", async () => {
    // Paused by the reset above: removing a run starts the experiment over, still paused.
    const count = await page.locator("article[data-run]").count();
    await page.locator("article[data-run] button[id^='remove-']").last().click();
    await page.waitForFunction((n) => document.querySelectorAll("article[data-run]").length === n - 1, count);
    await page.waitForTimeout(300);
    assert.equal(await stepCount(page), 0, "a change while paused started playing");
    assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "false");
    assert.match(await page.locator("#play-status").textContent(), /paused at step 0: press Play/);
    // With the Play button in view nothing else is said; out of view (a change further down) a
    // note says so where the reader is, with a Play button of its own.
    assert.equal(await page.locator("#held-note").isHidden(), true);
    await page.locator("#methods-default").scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 400));
    await page.locator("#methods-default").click();
    await page.waitForFunction((n) => document.querySelectorAll("article[data-run]").length === n, count);
    assert.equal(await page.locator("#held-note").isVisible(), true);
    assert.equal(await stepCount(page), 0);
    await page.locator("#held-play").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 0);
    assert.equal(await page.locator("#held-note").isHidden(), true);
    await pause(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator("article[data-run] button[id^='remove-']").last().click();
    await page.waitForFunction((n) => document.querySelectorAll("article[data-run]").length === n - 1, count);
    // Playing, a change starts over and plays.
    await page.locator("#play").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 0);
    await page.locator("#methods-default").click();
    await page.waitForFunction((n) => document.querySelectorAll("article[data-run]").length === n, count);
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 0);
    assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "true");
    await pause(page);
  });

  it("plays until the run length, then stops; play goes on past it", async () => {
    await pause(page);
    await page.locator("#reset").click();
    await page.locator("#steps").fill("40");
    await page.locator("#steps").press("Tab");
    await page.locator("#play").click();
    await page.waitForFunction(
      () => document.querySelector("#play").getAttribute("aria-pressed") === "false",
      null,
      { timeout: 30_000 },
    );
    assert.equal(await stepCount(page), 40, "playing should stop exactly at the run length");
    const figs = await runFigures();
    for (const [name, f] of Object.entries(figs)) assert.equal(f.step, 40, `${name} stopped at ${f.step}`);
    await page.locator("#play").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 40);
    await pause(page);
    await page.locator("#steps").fill("3000");
    await page.locator("#steps").press("Tab");
  });

  it("switching an optimizer off greys its panel and stops stepping it", async () => {
    await pause(page);
    await page.locator("#on-3").uncheck(); // gd
    const gdPanel = page.locator('article[data-run="gd"]');
    assert.match((await gdPanel.getAttribute("class")) || "", /\boff\b/);
    const before = await runFigures();
    for (let k = 0; k < 3; k++) await page.locator("#step-once").click();
    await page.waitForFunction(
      (s) => Number(document.querySelector('article[data-run="adam"]').dataset.step) === s + 3,
      before.adam.step,
    );
    const afterFigs = await runFigures();
    assert.equal(afterFigs.gd.step, before.gd.step, "a switched-off run was stepped");
    // A problem change starts over with the run still off (it was switched back on).
    await page.locator("#observed").fill("301");
    await page.locator("#observed").press("Enter");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.observed === "301");
    assert.match((await page.locator('article[data-run="gd"]').getAttribute("class")) || "", /\boff\b/);
    assert.equal(await page.locator("#on-3").isChecked(), false);
    await page.locator("#observed").fill("300");
    await page.locator("#observed").press("Enter");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.observed === "300");
    await page.locator("#on-3").check();
    assert.doesNotMatch((await page.locator('article[data-run="gd"]').getAttribute("class")) || "", /\boff\b/);
  });

  it("a learning-rate change is applied without a reset", async () => {
    await pause(page);
    const stepBefore = (await runFigures()).adam.step;
    await page.locator("#lr-0").fill("0.02");
    await page.locator("#lr-0").press("Enter");
    assert.equal(await page.locator("#lr-0").getAttribute("aria-invalid"), null);
    assert.equal((await runFigures()).adam.step, stepBefore, "a learning-rate change reset the run");
    await page.locator("#lr-0").fill("-1");
    await page.locator("#lr-0").press("Enter");
    assert.equal(await page.locator("#lr-0").getAttribute("aria-invalid"), "true", "a negative learning rate was accepted");
    await page.locator("#lr-0").fill("0.01");
    await page.locator("#lr-0").press("Enter");
    assert.equal(await page.locator("#lr-0").getAttribute("aria-invalid"), null);
  });

  it("a bad control value shows an error and keeps the previous runs", async () => {
    await page.locator("#play").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 20);
    const runsBefore = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run));

    await page.locator("#rank").fill("99"); // larger than the 30 × 30 size
    await page.locator("#rank").press("Tab");
    const error = page.locator("#config-error");
    await error.waitFor({ state: "visible" });
    const message = (await error.textContent()) || "";
    assert.ok(message.trim().length > 0, "the error message is empty");
    assert.match(message, /rank/i, `the message should name the field: ${message}`);
    assert.equal(await page.locator("#rank").getAttribute("aria-invalid"), "true");

    // The previous lab is still there and still running.
    const runsAfter = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run));
    assert.deepEqual(runsAfter, runsBefore);
    assert.equal(await page.locator("#truth-panel").getAttribute("data-rows"), "30");
    const s1 = await stepCount(page);
    await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s, s1);

    // Not a number at all: the page's own check.
    await page.locator("#rank").fill("");
    await page.locator("#rank").press("Tab");
    await page.waitForFunction(() => /rank/i.test(document.querySelector("#config-error").textContent));

    // A valid value clears the error and starts the new problem over.
    await page.locator("#rank").fill("3");
    await page.locator("#rank").press("Tab");
    await error.waitFor({ state: "hidden" });
    assert.equal(await page.locator("#rank").getAttribute("aria-invalid"), null);
    await page.waitForFunction(() => document.querySelector("#truth-rank").textContent === "3");
  });

  it("a size change rebuilds the panels at the new size", async () => {
    await page.locator("#rows").fill("20");
    await page.locator("#rows").press("Tab");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "20");
    const dims = await page.evaluate(() =>
      [...document.querySelectorAll('canvas[data-testid="heatmap"]')].map((c) => [c.width, c.height]),
    );
    assert.equal(dims.length, 6);
    for (const [w, h] of dims) assert.deepEqual([w, h], [30, 20]);
    assert.ok(await page.locator("#config-error").isHidden());
  });

  it("labels every control", async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea")]
        .filter((el) => !el.labels || el.labels.length === 0)
        .map((el) => el.id || el.outerHTML.slice(0, 60)),
    );
    assert.deepEqual(unlabelled, []);
  });

  it("fits a 375 px wide screen without sideways scrolling", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(500);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide`);
    // The panels are one row that swipes sideways (two on screen), so the plots come soon after.
    const grid = await page.evaluate(() => {
      const g = document.querySelector("#matrices");
      const panels = [...g.querySelectorAll(":scope > .panel")].map((p) => p.getBoundingClientRect());
      return { rows: new Set(panels.map((r) => Math.round(r.top))).size, scrolls: g.scrollWidth > g.clientWidth,
        plotsAt: document.querySelector("#plots").getBoundingClientRect().top + scrollY, tallest: Math.max(...panels.map((r) => r.height)) };
    });
    assert.equal(grid.rows, 1, JSON.stringify(grid));
    assert.ok(grid.scrolls, JSON.stringify(grid));
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it("shows an error box when the wasm module cannot be loaded", async () => {
    // A second tab whose .wasm request fails; its console errors are expected and not counted.
    const broken = await context.newPage();
    await broken.route(/_bg\.wasm$/, (route) => route.fulfill({ status: 404, body: "not here" }));
    await broken.goto(BASE_URL);
    const box = broken.locator("#load-error");
    await box.waitFor({ state: "visible", timeout: 30_000 });
    assert.match((await box.textContent()) || "", /could not be loaded/);
    assert.equal(await broken.locator("article[data-run]").count(), 0);
    await broken.close();
  });

  it("made no console errors, no page errors, and only same-origin requests", async () => {
    assert.deepEqual(pageErrors, [], "page errors");
    assert.deepEqual(consoleErrors, [], "console errors");
    assert.ok(requests.length > 0);
    assert.deepEqual(foreignRequests(requests), [], "requests to other origins");
  });
});
