// End-to-end tests of the page's additions: your own data (CSV, bad CSV, the bundled picture),
// tooltips, the update rules in MathML, the postMessage API from an embedding parent page, and
// the recovery map's worker. Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/page-data.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BASE_URL, foreignRequests, launchWatched, openPage } from "./helpers.mjs";

let browser, page, consoleErrors, pageErrors, requests; // launchWatched's, from before() on

const open = (hash) => openPage(page, hash, { csp: true });

describe("your data, tooltips, rules, postMessage, recovery map", { timeout: 120_000 }, () => {
  before(async () => {
    browser = await launchWatched("mcp-e2e-data-", { acceptDownloads: true });
    ({ page, consoleErrors, pageErrors, requests } = browser);
  });

  after(async () => {
    await browser?.close();
  });

  it("completes a pasted CSV with blanks, hatches the unknown cells and downloads the completed CSV", async () => {
    await open("#rows=12&cols=12&observed=60&m=adam,gd");
    const csv = "1,2,3,4\n2,,6,8\n3,6,NA,12\n4,8,12,\n5,10,15,20";
    await page.fill("#csv-text", csv);
    await page.click("#csv-load");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "5" && document.querySelector("#truth-panel").dataset.cols === "4");
    assert.equal(await page.locator("#data-error").isHidden(), true);
    assert.match(await page.locator("#data-unknown").textContent(), /3 of 20 cells/);
    // The unknown cells are hatched on W*'s panel, and stay hatched with the dots hidden.
    const hatch = page.locator("#truth-panel .heatmap-hatch").first(); // W*'s (Y's is next)
    assert.equal(await hatch.isVisible(), true);
    await page.locator("#show-observed").uncheck();
    assert.equal(await page.locator("#truth-panel .heatmap-overlay:not(.heatmap-hatch)").first().isHidden(), true);
    assert.equal(await hatch.isVisible(), true);
    await page.locator("#show-observed").check();
    // W*'s singular values are those of the data with its unknown cells at 0, and say so.
    assert.match(await page.locator("#truth-bars-label").textContent(), /unknown cells at 0/);
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 5);
    // Nothing unknown-but-scored: every known cell is seen, so the test error is n/a.
    assert.equal(await page.locator('article[data-run="adam"] dd[data-field="test"]').textContent(), "n/a");
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click('#data-downloads button[data-run="0"]')]);
    assert.match(dl.suggestedFilename(), /completed-adam/);
    const text = readFileSync(await dl.path(), "utf8").trim().split("\n");
    assert.equal(text.length, 5);
    assert.equal(text[0].split(",").length, 4);
    assert.ok(text.every((l) => l.split(",").every((v) => Number.isFinite(Number(v)))));
  });

  it("starts your data at the default experiment's rates, not at rates tuned for another problem", async () => {
    await open("#rows=12&cols=12&observed=60&m=adam,gd&lr=0.003,100&tuned=-4,3,2,3000");
    await page.waitForFunction(() => document.querySelector("#race-badge")?.dataset.race === "tuned");
    await page.fill("#csv-text", "1,2,3\n2,,6\n3,6,");
    await page.click("#csv-load");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "3");
    // Adam's and GD's rate in the default experiment is 0.01 (the core's `Lab.default_config()`).
    const rates = await page.$$eval("article[data-run] input.lr-input", (xs) => xs.map((x) => Number(x.value)));
    assert.deepEqual(rates, [0.01, 0.01]);
    assert.match(await page.locator("#data-status").textContent(), /tuned for the previous problem are back at the default experiment's/);
  });

  it("a bad CSV shows the row and column and keeps the old runs", async () => {
    const before = await page.evaluate(() => document.querySelector("#truth-panel").dataset.rows);
    await page.fill("#csv-text", "1,2\n3,x");
    await page.click("#csv-load");
    await page.waitForSelector("#data-error:not([hidden])");
    assert.match(await page.locator("#data-error").textContent(), /CSV row 2, column 2/);
    assert.equal(await page.evaluate(() => document.querySelector("#truth-panel").dataset.rows), before);
    assert.ok((await page.locator("article[data-run]").count()) >= 1);
  });

  it("loads the bundled picture with 30 % seen", async () => {
    await page.click("#image-preset");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "64");
    assert.equal(await page.evaluate(() => document.querySelector("#truth-panel").dataset.observed), String(Math.round(0.3 * 64 * 64)));
    assert.match(await page.locator("#image-note").textContent(), /centred/);
  });

  it("shows a tooltip with (i, j) over a heatmap cell, and the update rule in MathML for Adam", async () => {
    await open("#rows=12&cols=12&observed=60&m=adam,gd");
    const box = page.locator('article[data-run="adam"] .heatmap');
    await box.scrollIntoViewIfNeeded();
    const bb = await box.boundingBox();
    await page.mouse.move(bb.x + bb.width * 0.1, bb.y + bb.height * 0.1);
    await page.waitForSelector("#tooltip:not([hidden])");
    assert.match(await page.locator("#tooltip").textContent(), /\(i, j\) = \(2, 2\).*truth .*(observed|not observed)/);
    const math = page.locator('article[data-run="adam"] details.rule math');
    assert.equal(await math.count(), 1);
    assert.match(await page.locator('article[data-run="adam"] details.rule').textContent(), /torch\.optim\.Adam/);
    assert.ok(await page.evaluate(() => document.querySelector('article[data-run="adam"] details.rule math').namespaceURI === "http://www.w3.org/1998/Math/MathML"));
    // The live table and every canvas's text alternative.
    await page.waitForFunction(() => document.querySelectorAll("#live-figures tbody tr").length === 2);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll("canvas")].filter((c) => c.getAttribute("role") !== "img" && c.getAttribute("aria-hidden") !== "true" || (c.getAttribute("role") === "img" && !c.getAttribute("aria-label"))).length), 0);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll("input, select, textarea")].filter((e) => !e.labels?.length && !e.getAttribute("aria-label")).length), 0);
  });

  it("answers postMessage from an embedding parent: get-metrics, and an error for a bad config", async () => {
    await page.goto(new URL("tests/e2e/fixtures/embed-parent.html", BASE_URL).href, { waitUntil: "load" });
    const frame = page.frameLocator("#frame");
    await frame.locator("article[data-run]").first().waitFor({ timeout: 30_000 });
    await page.evaluate(() => window.__send({ type: "mc-playground", action: "step", steps: 3 }));
    await page.evaluate(() => window.__send({ type: "other", action: "get-metrics" })); // ignored
    await page.evaluate(() => window.__send({ type: "mc-playground", action: "get-metrics" }));
    await page.waitForFunction(() => window.__replies.some((r) => r.action === "metrics"));
    const replies = await page.evaluate(() => window.__replies);
    assert.equal(replies.filter((r) => r.action === "metrics").length, 1);
    const metrics = replies.find((r) => r.action === "metrics");
    assert.deepEqual(metrics.runs.map((r) => r.name), ["adam", "gd"]);
    assert.equal(metrics.runs[0].step, 3);
    for (const k of ["label", "test_error", "train_error", "effective_rank", "diverged_at"]) assert.ok(k in metrics.runs[0], k);
    await page.evaluate(() => window.__send({ type: "mc-playground", action: "set-config", config: { problem: { rows: 10, cols: 10, rank: 40 } } }));
    await page.waitForFunction(() => window.__replies.some((r) => r.action === "error"));
    const err = (await page.evaluate(() => window.__replies)).find((r) => r.action === "error");
    assert.equal(err.request, "set-config");
    assert.match(err.error, /rank/);
    await page.evaluate(() => window.__send({ type: "mc-playground", action: "set-config", config: { problem: { rows: 8, cols: 9, rank: 2, observed: 40 }, optimizers: [{ name: "adam", learning_rate: 0.01 }] } }));
    await page.waitForFunction(() => window.__replies.some((r) => r.action === "ok" && r.request === "set-config"));
    await frame.locator('#truth-panel[data-rows="8"][data-cols="9"]').waitFor();
  });

  it("shows a control's and a method name's help text when the keyboard reaches them, as their description", async () => {
    await open("#rows=12&cols=12&observed=60&m=adam,gd");
    const cdp = await page.context().newCDPSession(page);
    /** What the focused element shows and announces: the visible tooltip's text, and its accessible description. */
    const focusedHelp = async () => {
      const { nodes } = await cdp.send("Accessibility.getFullAXTree");
      const node = nodes.find((n) => n.role?.value !== "RootWebArea" && n.properties?.some((p) => p.name === "focused" && p.value.value));
      return {
        id: await page.evaluate(() => document.activeElement.id),
        shown: await page.evaluate(() => (document.querySelector("#tooltip").hidden ? null : document.querySelector("#tooltip").textContent)),
        announced: node?.description?.value ?? null,
      };
    };
    // A control whose help text is on the field around it: Tab from the field before it.
    await page.focus("#observed");
    await page.keyboard.press("Tab");
    const noise = await focusedHelp();
    const noiseText = await page.locator("span.field:has(#noise)").getAttribute("title");
    assert.match(noiseText, /Standard deviation of the noise/);
    assert.deepEqual(noise, { id: "noise", shown: noiseText, announced: noiseText });
    // A method's name (a heading, not focusable by itself): Tab reaches it from the control before its panel.
    const title = page.locator('article[data-run="adam"] h2');
    const about = await title.getAttribute("title");
    assert.match(about, /^Adam: each entry's step/);
    let id = "";
    await page.focus("#noise");
    for (let k = 0; k < 40 && id !== "run-title-0"; k++) {
      await page.keyboard.press("Tab");
      id = await page.evaluate(() => document.activeElement.id);
    }
    assert.deepEqual(await focusedHelp(), { id: "run-title-0", shown: about, announced: about });
    // Escape hides it; moving on takes it (and the description) away.
    await page.keyboard.press("Escape");
    assert.equal(await page.locator("#tooltip").isHidden(), true);
    await page.keyboard.press("Tab");
    assert.equal(await title.getAttribute("aria-describedby"), null);
    await cdp.detach();
  });

  it("ends the live figures table on the last step, each run finished", async () => {
    await open("#steps=40&m=adam,gd&lr=0.01,0.01");
    await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false", null, { timeout: 30_000 });
    // Throttled to every 2 s while playing, it still catches up with the last frame.
    const rows = await (await page.waitForFunction(() => {
      const trs = [...document.querySelectorAll("#live-figures tbody tr")];
      return trs.length === 2 && trs.every((tr) => tr.cells[1].textContent === "40" && tr.cells[5].textContent === "finished") &&
        trs.map((tr) => tr.cells[0].textContent);
    }, null, { timeout: 5_000 })).jsonValue();
    assert.deepEqual(rows, ["Adam", "GD"]);
  });

  it("starts the tab order with a link that skips to the plots", async () => {
    // Momentum and Nesterov: their legend entries carry help texts (dashed lines), inside the plots.
    await open("#rows=12&cols=12&observed=60&m=adam,gd,momentum,nesterov");
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "plots");
    // A jump target has no help text of its own: no tooltip gathered from everything inside it.
    assert.equal(await page.locator("#tooltip").isHidden(), true);
  });

  it("keeps a keyboard tooltip under its element when the row of panels swipes", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await open("#rows=12&cols=12&observed=60&m=adam,gd,rmsprop");
      const row = page.locator('article[data-run="gd"] dl.figures').first().locator(":scope > div[title]").first();
      await row.focus();
      await page.keyboard.press("ArrowDown"); // keyboard focus: the tooltip shows
      await page.keyboard.press("ArrowUp");
      const where = () => page.evaluate(() => {
        const t = document.querySelector("#tooltip");
        const r = document.activeElement.getBoundingClientRect();
        return { hidden: t.hidden, dy: t.getBoundingClientRect().top - r.bottom, text: t.textContent };
      });
      const before = await where();
      assert.equal(before.hidden, false);
      // The page scrolls: the tooltip stays under its row.
      await page.evaluate(() => window.scrollBy(0, 40));
      await page.waitForTimeout(150);
      const scrolled = await where();
      assert.ok(!scrolled.hidden && Math.abs(scrolled.dy - before.dy) < 2, `${JSON.stringify(before)} then ${JSON.stringify(scrolled)}`);
      // The row of panels swipes GD's panel off screen: the tooltip goes; back: it comes back.
      const grid = page.locator("#matrices");
      const back = await grid.evaluate((g) => g.scrollLeft);
      await grid.evaluate((g, x) => { g.scrollLeft = x > 0 ? 0 : g.scrollWidth; }, back);
      await page.waitForTimeout(150);
      assert.equal((await where()).hidden, true);
      await grid.evaluate((g, x) => { g.scrollLeft = x; }, back);
      await page.waitForTimeout(150);
      const again = await where();
      assert.ok(!again.hidden && again.text === before.text, JSON.stringify(again));
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it("makes a panel's figures one tab stop, the arrow keys moving between its rows", async () => {
    await open("#rows=12&cols=12&observed=60&m=adam,gd");
    // The panel's first list (the second, "more figures", is folded away).
    const list = page.locator('article[data-run="adam"] dl.figures').first();
    const rows = list.locator(":scope > div[title]:not([hidden])");
    assert.ok((await rows.count()) >= 3);
    // One tab stop per list, not one per row.
    assert.equal(await list.locator(':scope > div[tabindex="0"]').count(), 1);
    const focused = () => page.evaluate(() => [document.activeElement.closest("dl.figures") !== null,
      document.activeElement.querySelector("dt")?.textContent ?? "", document.querySelector("#tooltip").textContent]);
    await rows.nth(0).focus();
    await page.keyboard.press("ArrowDown");
    const [inList, name, shown] = await focused();
    assert.equal(inList, true);
    assert.equal(name, await rows.nth(1).locator("dt").textContent());
    assert.equal(shown, await rows.nth(1).getAttribute("title"));
    // The row reached is now the list's tab stop; End goes to the last row.
    assert.equal(await rows.nth(1).getAttribute("tabindex"), "0");
    assert.equal(await rows.nth(0).getAttribute("tabindex"), "-1");
    await page.keyboard.press("End");
    assert.equal((await focused())[1], await rows.last().locator("dt").textContent());
    // N (a new problem) rebuilds the panels: the focus stays on the same row of the new one,
    // which is its list's only tab stop (it fell to the page before).
    const last = (await focused())[1];
    const seed = await page.locator("#seed").inputValue();
    await page.keyboard.press("n");
    await page.waitForFunction((s) => document.querySelector("#seed").value !== s, seed);
    const [stillInList, again] = await focused();
    assert.equal(stillInList, true);
    assert.equal(again, last);
    assert.equal(await list.locator(':scope > div[tabindex="0"]').count(), 1);
    assert.equal(await page.evaluate(() => document.activeElement.closest("article")?.dataset.run), "adam");
  });

  it("computes a tiny recovery map in a worker, and a cell click loads its experiment", async () => {
    await open("#rows=6&cols=6&observed=20&m=adam,gd");
    // Fractions out of range are named, not dropped (-0.5 and 2 were skipped without a word; at
    // 1 nothing is left to test on).
    await page.fill("#map-fractions", "-0.5, 2,0.5,1");
    await page.fill("#map-seeds", "1");
    await page.click("#map-run");
    await page.waitForFunction(() => !document.querySelector("#map-error").hidden);
    assert.match(await page.locator("#map-error").textContent(), /"-0\.5", "2", "1" are not/);
    assert.notEqual(await page.evaluate(() => document.querySelector("#recovery").dataset.state), "running");
    await page.fill("#map-fractions", "0.5,0.9");
    await page.fill("#map-seeds", "1");
    await page.selectOption("#map-length", "quick");
    await page.click("#map-run");
    await page.waitForFunction(() => document.querySelector("#recovery").dataset.state === "done", null, { timeout: 30_000 });
    assert.equal(await page.locator('.map-table[data-method="adam"] button.map-cell:not([disabled])').count(), 2 * 6);
    await page.locator('.map-table[data-method="adam"] button.map-cell[data-fi="1"][data-ri="1"]').click();
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.observed === String(Math.round(0.9 * 36)));
    assert.equal(await page.evaluate(() => document.querySelector("#rank").value), "2");
    assert.match(await page.locator("#map-load").textContent(), /Loaded: rank 2/);
  });

  it("had no console errors, CSP violations or requests elsewhere", async () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(await page.evaluate(() => window.__csp || []), []);
    assert.deepEqual(foreignRequests(requests), []);
  });
});
