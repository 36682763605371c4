// Issue 20, "a timeline scrubber": a teacher stops the race and drags back over the steps; each
// panel shows the nearest kept snapshot of its W, the time plot marks the step, and at let go the
// race is where it was. Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/page-scrub.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openPage, withBrowser } from "./helpers.mjs";

let page, pageErrors;

/** Each run panel's heatmap as an image, and the step its scrubbed picture is of. */
const panels = () => page.locator("article[data-run]").evaluateAll((els) => els.map((a) => ({
  image: a.querySelector("canvas.heatmap-cells").toDataURL(),
  scrubStep: a.dataset.scrubStep,
})));

describe("issue 20: the timeline scrubber", { timeout: 120_000 }, () => {
  withBrowser("mcp-e2e-scrub-", (b) => ({ page, pageErrors } = b));

  it("dragging back shows each run's nearest kept W and marks the step; let go and the race is where it was", async () => {
    await openPage(page, "#steps=600&m=adam,gd&lr=0.01,0.01");
    await page.waitForFunction(() => /stopped at step 600/.test(document.querySelector("#play-status").textContent), null, { timeout: 30_000 });
    await page.waitForTimeout(300);
    const end = await panels();
    const slider = page.locator("#scrub");
    assert.equal(await slider.getAttribute("max"), "600");
    const box = await slider.boundingBox();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 6 });
    await page.waitForFunction(() => [...document.querySelectorAll("article[data-run]")].every((a) => a.dataset.scrubStep), null, { timeout: 10_000 });
    const value = Number(await slider.inputValue());
    assert.ok(value > 0 && value < 400, `the slider at ${value}`);
    const back = await panels();
    for (const [i, p] of back.entries()) {
      const kept = Number(p.scrubStep);
      assert.ok(Math.abs(kept - value) <= 40, `run ${i} shows step ${kept} for ${value}`);
    }
    // Adam moves a lot in 600 steps: its picture at the kept step is not its last one.
    assert.notEqual(back[0].image, end[0].image, "Adam's heatmap shows an earlier W");
    const status = page.locator("#scrub-status");
    assert.equal(await status.isVisible(), true);
    const kept = back[0].scrubStep === back[1].scrubStep ? `all at step ${back[0].scrubStep}` : `Adam ${back[0].scrubStep}, GD ${back[1].scrubStep}`;
    assert.ok((await status.textContent()).startsWith(`Looking back at step ${value}: each panel's heatmap shows its W at the nearest step kept (${kept})`), await status.textContent());
    // The time plot marks the step, inside the plot.
    const mark = page.locator(".scrub-mark");
    assert.equal(await mark.isVisible(), true);
    assert.equal(await mark.getAttribute("data-step"), String(value));
    const plot = await page.locator("#test-error-plot").boundingBox();
    const m = await mark.boundingBox();
    assert.ok(m.x > plot.x && m.x < plot.x + plot.width, `the mark at x ${m.x}, the plot from ${plot.x} to ${plot.x + plot.width}`);
    // The trajectory plot rings each run at its recorded point nearest the step.
    const dots = await page.locator(".scrub-dot").evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => Number(e.dataset.step)));
    assert.equal(dots.length, 2);
    for (const s of dots) assert.ok(Math.abs(s - value) <= 40, `a ring at step ${s} for ${value}`);
    // Nothing stepped meanwhile.
    assert.equal(await page.locator("#step-counter").getAttribute("data-step"), "600");
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector("#scrub-status").hidden);
    const after = await panels();
    assert.deepEqual(after.map((p) => p.image), end.map((p) => p.image), "the panels show the race where it was");
    assert.deepEqual(after.map((p) => p.scrubStep), [undefined, undefined]);
    assert.equal(await slider.inputValue(), "600");
    assert.equal(await mark.isVisible(), false);
    assert.equal(await page.locator(".scrub-dot:visible").count(), 0);
    assert.match(await page.locator("#play-status").textContent(), /stopped at step 600/);
    assert.equal(await page.locator("#step-counter").getAttribute("data-step"), "600");
  });

  it("taken while playing, it pauses the race and plays on at let go", async () => {
    await openPage(page, "#steps=3000&m=adam,gd&lr=0.01,0.01", { stepping: true });
    const box = await page.locator("#scrub").boundingBox();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 3 });
    await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false");
    const held = Number(await page.locator("#step-counter").getAttribute("data-step"));
    await page.waitForTimeout(500);
    assert.equal(Number(await page.locator("#step-counter").getAttribute("data-step")), held, "no steps while looking back");
    await page.mouse.up();
    await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s, held, { timeout: 10_000 });
    assert.deepEqual(pageErrors, []);
  });
});
