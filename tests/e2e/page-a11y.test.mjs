// Accessible to everyone (issue 18, section 5): the polite live region says what changed in the
// race, in words from the runs on screen; the time plot's numbers as a table; the dark scheme's
// contrast, in the canvases' text and the page's.
//
//   MCP_BASE_URL=http://127.0.0.1:8000/ node --test tests/e2e/page-a11y.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchWatched, openPage } from "./helpers.mjs";

/** WCAG's contrast ratio of two [r, g, b] colours (0-255). */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe("accessible to everyone", () => {
  let browser;
  let page;
  before(async () => {
    browser = await launchWatched("mcp-a11y-");
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
  });

  it("says in a polite live region which run found W* and which diverged, at the steps on screen", async () => {
    await openPage(page, "#rows=12&cols=12&observed=80&m=adam,gd&lr=0.01,1000000&steps=1500");
    const region = page.locator("#live-summary");
    assert.equal(await region.getAttribute("aria-live"), "polite");
    await page.waitForFunction(() => /Stopped at step 1500/.test(document.querySelector("#live-summary").textContent), null, { timeout: 60_000 });
    const said = [];
    // Everything said since the start (the region holds the latest news): the page's own log.
    said.push(...(await page.evaluate(() => window.__mcpSaid ?? [])));
    const text = said.join(" ");
    const gdDiverged = await page.locator('article[data-run="gd"]').getAttribute("data-diverged-at");
    assert.ok(gdDiverged, "GD diverged");
    assert.match(text, new RegExp(`GD diverged at step ${gdDiverged}\\.`));
    const adamTest = await page.locator('article[data-run="adam"] dd[data-field="test"]').textContent();
    assert.match(text, /Adam found W\* \(test error below 0\.05\) at step \d+\./);
    assert.match(text, new RegExp(`Stopped at step 1500; test error: Adam ${adamTest.replace(".", "\\.")}, GD diverged at step ${gdDiverged}\\.`));
    assert.doesNotMatch(text, /GD found/);
  });

  it("shows the time plot's numbers as a table, the last row those on screen", async () => {
    await openPage(page, "#rows=12&cols=12&observed=60&m=adam,gd&steps=200");
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "200" && document.body.dataset.playing === "false", null, { timeout: 60_000 });
    const toggle = page.locator("#time-table-toggle");
    assert.equal(await page.locator("#time-table").isHidden(), true);
    await toggle.focus();
    await page.keyboard.press("Enter");
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    const table = page.locator("#time-table table");
    await table.waitFor();
    const head = await table.locator("thead th").allTextContents();
    assert.deepEqual(head, ["step", "Adam", "GD"]);
    const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.ok(rows.length >= 2 && rows.length <= 12, `${rows.length} rows`);
    assert.deepEqual(rows[0].slice(0, 1), ["0"]);
    const last = rows.at(-1);
    assert.equal(last[0], "200");
    for (const [k, name] of [[1, "adam"], [2, "gd"]]) {
      assert.equal(last[k], await page.locator(`article[data-run="${name}"] dd[data-field="test"]`).textContent());
    }
    await page.keyboard.press("Enter");
    assert.equal(await page.locator("#time-table").isHidden(), true);
  });

  it("reads a heatmap, the singular values and the trajectory by keyboard: one tab stop each, the arrow keys move from value to value with its tooltip", async () => {
    await openPage(page, "#rows=12&cols=12&observed=60&m=adam,gd&steps=50");
    // Played to its end (not paused by a click that could land as it stops, and play on past it).
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "50" && document.body.dataset.playing === "false", null, { timeout: 60_000 });
    const box = page.locator('article[data-run="adam"] .heatmap');
    assert.equal(await box.getAttribute("tabindex"), "0");
    // Reached with Tab from the control before it.
    await page.locator("#eps-0").focus();
    let inBox = false;
    for (let k = 0; k < 6 && !inBox; k++) {
      await page.keyboard.press("Tab");
      inBox = await box.evaluate((b) => document.activeElement === b);
    }
    assert.ok(inBox, "Tab reaches the heatmap");
    const tip = page.locator("#tooltip");
    assert.match(await tip.textContent(), /^\(i, j\) = \(1, 1\) · value -?[\d.]+.* · truth .* · (observed|not observed)$/);
    for (const key of ["ArrowRight", "ArrowRight", "ArrowDown", "End", "ArrowLeft"]) await page.keyboard.press(key);
    const text = await tip.textContent();
    assert.match(text, /^\(i, j\) = \(2, 11\) · value /);
    assert.equal(await box.getAttribute("aria-label"), text);
    assert.equal(await tip.isVisible(), true);
    await page.keyboard.press("Escape");
    assert.equal(await tip.isHidden(), true);
    // The singular values' chart: one tab stop too, σk by σk.
    const bars = page.locator('article[data-run="adam"] canvas.bars');
    assert.equal(await bars.getAttribute("tabindex"), "0");
    await bars.focus();
    await page.keyboard.press("End");
    await page.keyboard.press("ArrowLeft");
    assert.match(await tip.textContent(), /^σ11 = [\d.]+/);
    assert.match(await bars.getAttribute("aria-label"), /: σ11 = /);
    // The trajectory: a run's path, point by point.
    await page.locator("#trajectory-plot").focus();
    await page.keyboard.press("End");
    assert.match(await tip.textContent(), /^Adam · step 50 · eff\. rank [\d.]+ · train error [\d.×⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/);
  });

  it("keeps text readable in the dark scheme: the plots' axis text and the page's", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    await openPage(page, "#rows=12&cols=12&observed=60&m=adam,gd&steps=100");
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "100", null, { timeout: 60_000 });
    // The most opaque pixel of the time plot's bottom band (its tick labels and "step") against the plots' background.
    const { ink, paper } = await page.evaluate(() => {
      const c = document.querySelector("#test-error-plot");
      const d = c.getContext("2d").getImageData(0, Math.floor(c.height * 0.85), c.width, Math.ceil(c.height * 0.15)).data;
      let best = [0, 0, 0, -1];
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > best[3]) best = [d[k], d[k + 1], d[k + 2], d[k + 3]];
      const bg = getComputedStyle(document.querySelector(".shared")).backgroundColor.match(/\d+/g).map(Number);
      return { ink: best, paper: bg.slice(0, 3) };
    });
    assert.ok(ink[3] > 200, "the axis text is drawn");
    const axis = contrast(ink.slice(0, 3), paper);
    assert.ok(axis >= 4.5, `the axis text's contrast in the dark scheme: ${axis.toFixed(2)}`);
    // The page's text where it sets its own colours.
    const pairs = await page.evaluate(() => ["#play", "#race-caption", "#time-title", "#time-caption", "#step-counter", ".sens-intro", "#time-table-toggle", "#time-metric", "#steps", "#rows", "#reset", "#truth-title", ".badge", 'article[data-run] .icon-button'].map((sel) => {
      const el = document.querySelector(sel);
      let bgEl = el;
      let bg = "rgba(0, 0, 0, 0)";
      while (bgEl && /rgba\(.*, 0\)|transparent/.test(bg)) {
        bg = getComputedStyle(bgEl).backgroundColor;
        bgEl = bgEl.parentElement;
      }
      return { sel, fg: getComputedStyle(el).color.match(/\d+/g).map(Number).slice(0, 3), bg: bg.match(/\d+/g).map(Number).slice(0, 3) };
    }));
    for (const { sel, fg, bg } of pairs) {
      const c = contrast(fg, bg);
      assert.ok(c >= 4.5, `${sel}: ${c.toFixed(2)} (${fg} on ${bg})`);
    }
    await page.emulateMedia({ colorScheme: "light" });
    assert.deepEqual(browser.pageErrors, []);
  });
});
