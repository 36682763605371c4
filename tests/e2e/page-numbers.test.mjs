// Issue 20, "canvases that carry their numbers": each canvas's accessible description holds the
// numbers it last drew and points to the live tables, and is rewritten a few times a second at
// most. Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/page-numbers.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatFigure } from "../../www/views/axes.js";
import { openPage, pause, withBrowser } from "./helpers.mjs";

let page, pageErrors;

/** Each canvas's description (the texts of its aria-describedby, tooltips left out). */
const descriptions = () => page.evaluate(() => {
  const of = (c) => (c.getAttribute("aria-describedby") || "").split(" ").map((id) => document.getElementById(id))
    .filter((e) => e && e.id !== "tooltip").map((e) => e.textContent).join(" ");
  return {
    time: of(document.querySelector("#test-error-plot")),
    trajectory: of(document.querySelector("#trajectory-plot")),
    pca: of(document.querySelector("#pca-plot")),
    truth: of(document.querySelector("#truth-heatmap")),
    runs: [...document.querySelectorAll("article[data-run]")].map((a) => ({
      title: a.querySelector("[id^=run-title-]").textContent,
      test: Number(a.dataset.testError),
      testShown: a.querySelector("dd[data-field=test]")?.textContent,
      rankShown: a.querySelector("dd[data-field=erank]")?.textContent,
      heatmap: of(a.querySelector("canvas.heatmap-cells")),
      bars: of(a.querySelector("canvas.bars")),
    })),
  };
});

describe("issue 20: canvases that carry their numbers", { timeout: 120_000 }, () => {
  withBrowser("mcp-e2e-numbers-", (b) => ({ page, pageErrors } = b));

  it("each canvas's description holds the numbers it last drew and points to the live table", async () => {
    await openPage(page, "#steps=200&m=adam,gd&lr=0.01,0.01");
    await page.waitForFunction(() => /stopped at step 200/.test(document.querySelector("#play-status").textContent), null, { timeout: 30_000 });
    await page.waitForTimeout(600); // the descriptions end on the last frame
    const d = await descriptions();
    assert.equal(d.runs.length, 2);
    for (const r of d.runs) {
      // The panel's own figures, as it shows them: "Adam: test error 0.928, effective rank 12.70".
      assert.ok(r.testShown && r.rankShown, JSON.stringify(r));
      assert.ok(r.heatmap.includes(`${r.title}: test error ${r.testShown}, effective rank ${r.rankShown}, at step 200`), `${r.title}'s heatmap: ${r.heatmap}`);
      assert.match(r.heatmap, /the table “Each run's figures”/);
      assert.match(r.bars, new RegExp(`^${r.title}'s largest singular values: [\\d.]+`));
      // The time plot (test error against step): each line's last value.
      assert.ok(d.time.includes(`${r.title} ${formatFigure(r.test)} at step 200`), `time plot: ${d.time}`);
      assert.ok(d.pca.includes(`${r.title}: test error ${r.testShown}`), `PCA: ${d.pca}`);
      assert.match(d.trajectory, new RegExp(`${r.title}: train error [^,]+, effective rank ${r.rankShown.replace(".", "\\.")}`));
    }
    assert.match(d.time, /Show the numbers as a table/);
    assert.match(await page.locator("#live-figures caption").textContent(), /^Each run's figures/);
    assert.match(d.truth, /^W\*: rank 2, eff\. rank [\d.]+, seen 300 of 900/);
  });

  it("follows the runs, a few times a second at most, and ends on the last step", async () => {
    await openPage(page, "#steps=3000&m=adam,gd&lr=0.01,0.01", { stepping: true });
    // Count the batches of rewrites over two seconds of play.
    const batches = await page.evaluate(() => new Promise((resolve) => {
      const times = [];
      const box = document.querySelector("#canvas-numbers");
      const mo = new MutationObserver(() => times.push(performance.now()));
      mo.observe(box, { childList: true, characterData: true, subtree: true });
      setTimeout(() => {
        mo.disconnect();
        resolve(times.filter((t, i) => i === 0 || t - times[i - 1] > 50).length);
      }, 2000);
    }));
    assert.ok(batches >= 2 && batches <= 7, `rewritten in ${batches} batches in 2 s`);
    await pause(page);
    await page.waitForTimeout(600);
    const step = Number(await page.locator("#step-counter").getAttribute("data-step"));
    const d = await descriptions();
    for (const r of d.runs) assert.ok(r.heatmap.includes(`at step ${step}.`), `${r.heatmap} (counter ${step})`);
    assert.deepEqual(pageErrors, []);
  });
});
