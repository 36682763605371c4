// End-to-end tests of the shareable page: the URL is the experiment (round trip, hashchange,
// view options, garbled links), presets, the fixes from user testing, keyboard, and the
// Content Security Policy. Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/page-url.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, download, foreignRequests, launchWatched, openPage, pause, stepCount, waitForHash } from "./helpers.mjs";
import { launchFresh } from "../../scripts/chromium.mjs";

let browser, page, consoleErrors, pageErrors, requests; // launchWatched's, from before() on

const open = (hash) => openPage(page, hash, { csp: true });

/** Reset, then k single steps; returns each run's test error. */
async function resetAndStep(k) {
  await pause(page);
  await page.locator("#reset").click();
  for (let i = 0; i < k; i++) await page.locator("#step-once").click();
  await page.waitForFunction((k) => Number(document.querySelector("#step-counter").dataset.step) === k, k);
  return page.evaluate(() => [...document.querySelectorAll("article[data-run]")].map((e) => e.dataset.testError));
}

describe("the URL is the experiment", { timeout: 120_000 }, () => {
  before(async () => {
    browser = await launchWatched("mcp-e2e-url-");
    ({ page, consoleErrors, pageErrors, requests } = browser);
  });

  after(async () => {
    await browser?.close();
  });

  it("writes every field (seed included, enums by name) and reproduces the same numbers after a reload", async () => {
    await open("#rows=20&cols=16&rank=3&observed=150&seed=42&penalty=nuclear&m=adam,gd&lr=0.02,5");
    const first = await resetAndStep(7);
    await waitForHash(page, /seed=42/);
    const hash = await page.evaluate(() => location.hash);
    for (const key of ["seed=42", "rows=20", "cols=16", "rank=3", "observed=150", "noise=0", "depth=1", "init=observed",
      "penalty=nuclear", "lambda=0.01", "scale=1", "steps=3000", "m=adam,gd", "lr=0.02,5", "view=test_error"]) {
      assert.ok(hash.includes(key), `${key} missing from ${hash}`);
    }
    await page.goto("about:blank");
    await open(hash);
    const second = await resetAndStep(7);
    assert.deepEqual(second, first);
    assert.ok(first.every((v) => Number.isFinite(Number(v))));
  });

  it("carries each method's own hyper-parameters (Muon's Nesterov switch, Newton–Schulz steps and coefficients) through a reload", async () => {
    const link = "#rows=20&cols=16&m=muon,muon&lr=0.02,0.02&nesterov=0,&ns_steps=3,&ns_coefficients=2:-1.5:0.5,&adjust_lr_fn=match_rms_adamw,";
    await open(link);
    const first = await resetAndStep(5);
    await waitForHash(page, /ns_steps=3,/);
    const hash = await page.evaluate(() => location.hash);
    for (const key of ["nesterov=0,", "ns_steps=3,", "ns_coefficients=2:-1.5:0.5,", "adjust_lr_fn=match_rms_adamw,"]) {
      assert.ok(hash.includes(key), `${key} missing from ${hash}`);
    }
    // The second run is the catalog's Muon: the link's settings changed the first one's numbers.
    assert.notEqual(first[0], first[1]);
    const labels = await page.locator("article[data-run] h2").allTextContents();
    assert.notEqual(labels[0], labels[1], "the two Muon runs are told apart by their settings");
    await page.goto("about:blank");
    await open(hash);
    assert.deepEqual(await resetAndStep(5), first);
  });

  it("changes a view option without stepping, resetting or reseeding, and writes it in the hash", async () => {
    await open("#m=adam&lr=0.01");
    await resetAndStep(3);
    const before = await page.evaluate(() => document.querySelector("article[data-run]").dataset.testError);
    await page.locator("#time-metric").selectOption("effective_rank");
    await page.locator("#show-observed").uncheck();
    await waitForHash(page, /view=effective_rank.*dots=0|dots=0.*view=effective_rank/);
    assert.equal(await stepCount(page), 3);
    assert.equal(await page.evaluate(() => document.querySelector("article[data-run]").dataset.testError), before);
    // The dots are hidden on W*'s panel too.
    assert.equal(await page.locator("#truth-panel .heatmap-overlay:not(.heatmap-hatch)").first().isHidden(), true);
  });

  it("applies a hash edited by hand (hashchange) and notes unknown or garbled keys", async () => {
    await open("");
    await pause(page);
    await page.evaluate(() => { location.hash = "#rows=12&cols=14&rank=2&observed=60&bogus=1&noise=abc"; });
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "12");
    assert.equal(await page.locator("#truth-panel").getAttribute("data-cols"), "14");
    const note = await page.locator("#hash-note").textContent();
    assert.match(note, /bogus/);
    assert.match(note, /noise=abc/);
    // A garbled key of 100 000 characters made the page 757 343 px wide: the note cuts it and
    // wraps (an adversarial tester).
    await page.evaluate(() => { location.hash = `#rows=12&cols=14&rank=2&observed=60&${"x".repeat(100_000)}=1`; });
    await page.waitForFunction(() => /x…/.test(document.querySelector("#hash-note").textContent));
    assert.ok((await page.locator("#hash-note").textContent()).length < 200);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), "no sideways scrolling");
  });

  it("refuses a link too big to run smoothly, a run length of 0 and a seed above 2^53 − 1, with a note", async () => {
    await open("#rows=1000&cols=1000");
    assert.match(await page.locator("#hash-note").textContent(), /too big/);
    assert.equal(await page.locator("#truth-panel").getAttribute("data-rows"), "30");
    await open("#steps=0&seed=9007199254740993");
    const note = await page.locator("#hash-note").textContent();
    assert.match(note, /steps=0/);
    assert.match(note, /seed=/);
    assert.equal(await page.locator("#steps").inputValue(), "3000");
  });

  it("puts the running value back into a field whose value was rejected", async () => {
    await open("");
    await pause(page);
    await page.locator("#rank").fill("99");
    await page.locator("#rank").dispatchEvent("change");
    await page.waitForFunction(() => /rank/.test(document.querySelector("#config-error").textContent));
    assert.equal(await page.locator("#rank").inputValue(), "2");
    assert.match(await page.locator("#config-error").textContent(), /Back to the running values/);
    await page.locator("#rows").fill("2000");
    await page.locator("#rows").dispatchEvent("change");
    await page.waitForFunction(() => /too big/.test(document.querySelector("#config-error").textContent));
    assert.equal(await page.locator("#rows").inputValue(), "30");
    await page.locator("#steps").fill("200000000");
    await page.locator("#steps").dispatchEvent("change");
    await page.waitForFunction(() => /10⁸/.test(document.querySelector("#config-error").textContent));
    assert.equal(await page.locator("#steps").inputValue(), "3000");
    await page.locator("#seed").fill("9007199254740993");
    await page.locator("#seed").dispatchEvent("change");
    await page.waitForFunction(() => /2⁵³/.test(document.querySelector("#config-error").textContent));
    assert.equal(await page.locator("#seed").inputValue(), "0");
  });

  it("says n/a for the test error when every entry is seen, and explains why nothing moves without a penalty", async () => {
    await open("#rows=10&cols=10&observed=100&m=adam&lr=0.01");
    await resetAndStep(2);
    assert.equal(await page.locator("article[data-run] [data-field=test]").textContent(), "n/a");
    const lede = await page.locator(".lede").textContent();
    assert.doesNotMatch(lede, /we see only/);
    assert.doesNotMatch(lede, /can in principle be filled in/);
    await open("#penalty=none&m=adam&lr=0.01");
    assert.match(await page.locator("#model-hint").textContent(), /Nothing will move/);
  });

  it("a preset sets the URL and the config, with its caption", async () => {
    await open("");
    await page.locator('[data-preset="depth"]').click();
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "40");
    await waitForHash(page, /depth=3/);
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /m=gd/);
    assert.match(hash, /lr=3/);
    assert.match(hash, /penalty=none/);
    assert.match(await page.locator("#preset-caption").textContent(), /three matrices/);
    const runs = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run));
    assert.deepEqual(runs, ["gd"]);
  });

  it("keys: R resets, N draws a new seed; New problem changes only the seed", async () => {
    await open("#m=adam&lr=0.01");
    await resetAndStep(2);
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("r");
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "0");
    await page.keyboard.press("n");
    await page.waitForFunction(() => document.querySelector("#seed").value !== "0");
    assert.equal(await page.locator("#rows").inputValue(), "30");
  });

  it("every run off: Play says why nothing happens", async () => {
    await open("#m=adam&lr=0.01&off=0");
    await pause(page);
    await page.locator("#play").click();
    await page.waitForFunction(() => /every run is off/.test(document.querySelector("#play-status").textContent));
  });

  it("had no CSP violations, console errors or requests to other origins", async () => {
    assert.deepEqual(await page.evaluate(() => window.__csp || []), []);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests(requests), []);
  });
});

describe("exports", { timeout: 60_000 }, () => {
  let exportBrowser;
  let pg;
  before(async () => {
    exportBrowser = await launchFresh("mcp-e2e-export-", { acceptDownloads: true });
    ({ page: pg } = exportBrowser);
    await pg.goto(`${BASE_URL}#m=adam,gd&lr=0.01,0.01&rows=12&cols=10&observed=50`, { waitUntil: "load" });
    await pg.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 5, null, { timeout: 30_000 });
  });
  after(async () => {
    await exportBrowser?.close();
  });

  const save = (button) => download(pg, button);

  it("downloads a PNG of a view, a CSV of the histories and a JSON of config and matrices", async () => {
    await pg.locator("#export-view").selectOption("trajectory-plot");
    const png = await save("#export-png");
    assert.equal(png.name, "mc-playground-trajectory-plot.png");
    assert.equal(png.data.subarray(1, 4).toString(), "PNG");
    // Framed: a title line above the plot and a legend line below it (PNG's IHDR: width, height).
    const size = [png.data.readUInt32BE(16), png.data.readUInt32BE(20)];
    const plot = await pg.evaluate(() => [document.querySelector("#trajectory-plot").width, document.querySelector("#trajectory-plot").height]);
    assert.ok(size[0] > plot[0] && size[1] > plot[1] + 30, `${size} around ${plot}`);
    const csv = await save("#export-csv");
    const lines = csv.data.toString().trim().split("\n");
    assert.match(lines[0], /^run,method,label,step,objective,train_error,test_error/);
    assert.ok(lines.some((l) => l.startsWith("1,gd,GD,")));
    const json = JSON.parse((await save("#export-json")).data.toString());
    assert.equal(json.config.problem.rows, 12);
    assert.equal(json.runs.length, 2);
    assert.equal(json.runs[0].matrix.length, 12);
    assert.equal(json.runs[0].matrix[0].length, 10);
  });

  it("brings the PCA up to date before saving it, although it is off screen", async () => {
    // The PCA is computed only while on screen: saved from the top of the page it was that of
    // an early step (a new user saved "step 2" at step 3000).
    await pg.evaluate(() => window.scrollTo(0, 0));
    await pg.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 40, null, { timeout: 30_000 });
    await pause(pg);
    const before = await pg.evaluate(() => [Number(document.querySelector("#pca-plot").dataset.step),
      Number(document.querySelector("#step-counter").dataset.step), document.querySelector("#pca-plot").getBoundingClientRect().top > innerHeight]);
    assert.ok(before[2] && before[0] < before[1], `off screen and behind: PCA at ${before[0]}, runs at ${before[1]}`);
    // Chosen and clicked without scrolling (a locator would scroll the plot into view).
    const [dl] = await Promise.all([pg.waitForEvent("download"), pg.evaluate(() => {
      document.querySelector("#export-view").value = "pca-plot";
      document.querySelector("#export-png").click();
    })]);
    assert.equal(dl.suggestedFilename(), "mc-playground-pca-plot.png");
    const after = await pg.evaluate(() => [Number(document.querySelector("#pca-plot").dataset.step), Number(document.querySelector("#step-counter").dataset.step)]);
    assert.ok(after[0] > before[0] && after[0] <= after[1], `PCA at ${after[0]}, runs at ${after[1]}`);
  });
});

describe("heatmap export", { timeout: 90_000 }, () => {
  let exportBrowser, pg;
  before(async () => {
    exportBrowser = await launchFresh("mcp-e2e-export-hm-", { acceptDownloads: true });
    ({ page: pg } = exportBrowser);
    await pg.goto(`${BASE_URL}#m=adam,gd&lr=0.01,0.01&rows=12&cols=10&observed=50`, { waitUntil: "load" });
    await pg.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 5, null, { timeout: 30_000 });
    await pause(pg);
  });
  after(async () => {
    await exportBrowser?.close();
  });

  it("a heatmap's PNG has its colour bar below it, and its observed-entry dots when they are shown", async () => {
    await pg.locator("#export-view").selectOption("run-0");
    const withDots = await download(pg, "#export-png");
    assert.equal(withDots.name, "mc-playground-run-0.png");
    const size = (png) => [png.data.readUInt32BE(16), png.data.readUInt32BE(20)];
    // 12 × 10 entries, enlarged 25 times (250 × 300), a title above and the colour bar (26 px) below.
    const [w, h] = size(withDots);
    assert.ok(w >= 250 && h >= 300 + 26 + 20, `${w} × ${h}`);
    await pg.locator("#show-observed").uncheck();
    const without = await download(pg, "#export-png");
    await pg.locator("#show-observed").check();
    assert.deepEqual(size(without), [w, h]);
    assert.ok(!without.data.equals(withDots.data), "the dots are drawn in the PNG");
    const again = await download(pg, "#export-png");
    assert.ok(again.data.equals(withDots.data), "paused: the same picture twice");
  });

  it("says Pausing… at once when a pause waits for the runs' batches", async () => {
    await pg.locator("#play").click();
    await pg.waitForFunction(() => document.querySelector("#play").textContent === "Pause");
    await pg.locator("#play").click();
    const text = await pg.locator("#play").textContent();
    assert.ok(text === "Pausing…" || text === "Play", text);
    await pause(pg);
    assert.equal(await pg.locator("#play").textContent(), "Play");
  });

  it("a 40 × 1 matrix's PNG is a column about 300 pixels tall, not 12 000", async () => {
    await pg.goto(`${BASE_URL}#rows=40&cols=1&rank=1&observed=20&m=adam`, { waitUntil: "load" });
    await pg.waitForFunction(() => document.querySelector("#truth-panel")?.dataset.rows === "40");
    await pg.locator("#export-view").selectOption("truth-heatmap");
    const png = await download(pg, "#export-png");
    const [w, h] = [png.data.readUInt32BE(16), png.data.readUInt32BE(20)];
    assert.ok(h < 600 && w >= 60, `${w} × ${h}`);
  });
});

describe("embedding flags", { timeout: 60_000 }, () => {
  it("embed=1&controls=0&panels=adam,gd&autoplay=0 hides the controls, races the two methods and does not play", async () => {
    const embed = await launchFresh("mcp-e2e-embed-", { viewport: { width: 600, height: 800 } });
    try {
      const pg = embed.page;
      await pg.goto(`${BASE_URL}?embed=1&controls=0&panels=adam,gd&autoplay=0`, { waitUntil: "load" });
      await pg.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 2, null, { timeout: 30_000 });
      // Both control sections (the top one and the one below the plots) are hidden.
      assert.equal(await pg.locator(".controls").evaluateAll((els) => els.length === 2 && els.every((e) => getComputedStyle(e).display === "none")), true);
      assert.equal(await pg.locator(".intro").isHidden(), true);
      assert.deepEqual(await pg.locator("article[data-run]").evaluateAll((els) => els.map((e) => e.dataset.run)), ["adam", "gd"]);
      await pg.waitForTimeout(300);
      assert.equal(await pg.locator("#step-counter").getAttribute("data-step"), "0");
      // A way out: the same experiment on the full page (no embed flags; the hash is the experiment).
      const full = pg.locator("#full-page");
      assert.equal(await full.isVisible(), true);
      await full.focus();
      const href = new URL(await full.evaluate((a) => a.href));
      assert.equal(href.search, "");
      assert.match(href.hash, /m=adam,gd/);
    } finally {
      await embed.close();
    }
  });
});
