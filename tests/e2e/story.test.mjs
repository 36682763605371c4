// End-to-end tests of the explorable essay (story.html): it opens at the step the link names, a
// prediction is recorded and shown beside the result of the run, its numbers come from the
// figure's run, and nothing goes wrong on the way (console, Content Security Policy, requests).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/story.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BASE_URL, foreignRequests, launchWatched } from "./helpers.mjs";

/** The Content Security Policy a page's meta tag sets. */
const cspOf = (file) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"))?.[1];

let browser, page, consoleErrors, pageErrors, requests;

async function openStory(hash) {
  await page.goto("about:blank");
  await page.goto(`${BASE_URL}story.html${hash}`, { waitUntil: "load" });
  await page.evaluate(() => document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp = (window.__csp || []).concat(`${e.violatedDirective} ${e.blockedURI}`);
  }));
}

/** The steps shown (not hidden). */
const shownSteps = () => page.evaluate(() => [...document.querySelectorAll(".story-step")].filter((s) => !s.hidden).map((s) => s.id));

describe("the essay", { timeout: 300_000 }, () => {
  before(async () => {
    browser = await launchWatched("mcp-e2e-story-");
    ({ page, consoleErrors, pageErrors, requests } = browser);
  });

  after(async () => {
    await browser?.close();
  });

  it("opens at #step-3: that step alone, its place in the steps, and its figure's numbers once it has run", async () => {
    await openStory("#step-3");
    assert.deepEqual(await shownSteps(), ["step-3"]);
    assert.equal(await page.locator("#story-where").textContent(), "Step 3 of 7");
    assert.equal(await page.locator("#story-bar").getAttribute("value"), "3");
    assert.equal(await page.locator('#story-steps a[aria-current="step"]').getAttribute("href"), "#step-3");
    // The comparison runs by itself: its numbers appear in the prose, read from the frame.
    await page.waitForSelector("#step-3 .story-after:not([hidden])", { timeout: 120_000 });
    const numbers = await page.locator("#step-3 .story-after b[data-res]").allTextContents();
    assert.ok(numbers.length >= 4 && numbers.every((t) => t !== "…" && t !== "—"), numbers.join(" | "));
    const frameStep = await page.frameLocator("#step-3 iframe").locator("#frame-step").getAttribute("data-step");
    assert.equal(await page.locator('#step-3 .story-after b[data-res="step"]').textContent(), frameStep);
    // Only the step shown has a figure (a frame): the others are made when their step is shown.
    assert.equal(await page.locator("iframe").count(), 1);
    assert.equal(await page.locator('#step-3 [data-fig="eps.1"]').first().textContent(), "10⁻¹²");
    // The next step, by the pager; and back, by the ← key.
    await page.locator("#story-next").click();
    await page.waitForFunction(() => document.querySelector("#story-where").textContent === "Step 4 of 7");
    assert.deepEqual(await shownSteps(), ["step-4"]);
    await page.locator("body").press("ArrowLeft");
    await page.waitForFunction(() => document.querySelector("#story-where").textContent === "Step 3 of 7");
    assert.deepEqual(await shownSteps(), ["step-3"]);
  });

  it("records a prediction and shows it beside the result of the run", async () => {
    await openStory("#step-2");
    const box = page.locator("#step-2 [data-predict=race]");
    await box.locator("button.choice").first().waitFor({ timeout: 60_000 });
    // The figure waits at step 0 for the answer.
    const frame = page.frameLocator("#step-2 iframe");
    await frame.locator("article[data-run]").first().waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator("#frame-step").getAttribute("data-step"), "0");
    const choices = box.locator("button.choice");
    assert.equal(await choices.count(), 3);
    const picked = await choices.last().getAttribute("data-name");
    await choices.last().click();
    assert.equal(await box.getAttribute("data-guess"), picked);
    await box.locator(".predict-run").click();
    await page.waitForSelector("#step-2 .predict-verdict", { timeout: 120_000 });
    const rows = await box.locator(".predict-verdict tbody tr").evaluateAll((trs) => trs.map((tr) => ({
      cells: [...tr.children].map((td) => td.textContent), match: tr.dataset.match,
    })));
    assert.equal(rows.length, 3);
    // Each row: the method, the reader's guess, and the run's result with its test error.
    const guessed = rows.filter((r) => r.cells[1] === "finds W*");
    assert.equal(guessed.length, 1);
    for (const r of rows) {
      assert.match(r.cells[2], /^(finds W\*|does not) \(test error [0-9.·⁻⁰-⁹]+\)/);
      assert.equal(r.match === "yes", r.cells[1].startsWith(r.cells[2].startsWith("finds") ? "finds" : "does"));
    }
    // The prose's numbers are the frame's.
    const prose = await page.locator('#step-2 .story-after b[data-res="step"]').textContent();
    assert.equal(prose, await frame.locator("#frame-step").getAttribute("data-step"));
    assert.ok(Number(prose) > 0);
  });

  it("has the playground's Content Security Policy, and the playground links to it", () => {
    assert.ok(cspOf("index.html"));
    assert.equal(cspOf("story.html"), cspOf("index.html"));
    assert.match(readFileSync(new URL("../../index.html", import.meta.url), "utf8"), /<a [^>]*href="story\.html"/);
  });

  it("has no console errors, no blocked resources and no requests to other origins", async () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(await page.evaluate(() => window.__csp || []), []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests(requests), []);
  });
});
