// Hostile use of the worker-backed page: messages while playing, exports while the experiment
// changes, workers that cannot be (re)started. Each test is about one failure found by trying
// to break the page; it fails without its fix. Chromium at /usr/bin/chromium, never a downloaded
// browser.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launchFresh } from "../../scripts/chromium.mjs";
import { BASE_URL, ask, newTab } from "./helpers.mjs";

let browser;
let context;

/** Opens the page (helpers.mjs newTab: `cores` fakes the core count; page.errors collects its errors). */
const open = (path, { cores } = {}) => newTab(context, path, { cores });

/** Runs `test(page)` on a page opened at `path` (see `open`), and closes the page whatever happens. */
async function withPage(path, options, test) {
  const page = await open(path, options);
  try {
    await test(page);
  } finally {
    await page.close();
  }
}

before(async () => {
  browser = await launchFresh("mcp-hostile-", { acceptDownloads: true });
  ({ context } = browser);
});

after(async () => {
  await browser?.close();
});

function steps(page) {
  return page.locator("article[data-run]").evaluateAll((els) => els.map((e) => Number(e.dataset.step)));
}

describe("postMessage API before the page has started", () => {
  it("keeps a pause sent while the module loads (the frame's load event) and answers it", async () => {
    const page = await context.newPage();
    try {
      // DOMContentLoaded comes after the page's modules have run, while the core still loads.
      await page.addInitScript(() => {
        window.__replies = [];
        window.addEventListener("message", (e) => { if (e.data?.action === "ok") window.__replies.push(e.data.request); });
        document.addEventListener("DOMContentLoaded", () => {
          window.__early = !document.querySelector("article[data-run]");
          window.postMessage({ type: "mc-playground", action: "pause" }, "*");
        });
      });
      await page.goto(new URL("index.html", BASE_URL).href);
      await page.waitForFunction(() => window.__replies.includes("pause"), null, { timeout: 15_000 });
      assert.equal(await page.evaluate(() => window.__early), true, "the message was not sent before the page started");
      assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "false");
      const at = await page.locator("#step-counter").getAttribute("data-step");
      await page.waitForTimeout(500);
      assert.equal(await page.locator("#step-counter").getAttribute("data-step"), at, "the page plays after the pause");
    } finally {
      await page.close();
    }
  });
});

describe("postMessage API while the workers play", () => {
  it("answers get-metrics while playing a big experiment (and the messages after it)", async () => {
    await withPage("index.html#rows=120&cols=120&rank=3&observed=5000", {}, async (page) => {
      assert.equal(await page.evaluate(() => document.body.dataset.playing), "true");
      await page.waitForFunction(() => [...document.querySelectorAll("article[data-run]")].every((e) => Number(e.dataset.step) > 0));
      const t0 = Date.now();
      const { timeout, replies } = await ask(page, [{ action: "get-metrics" }, { action: "get-metrics" }]);
      assert.equal(timeout, false, `no reply to get-metrics while playing within 5 s (${replies.length} of 2)`);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(await page.evaluate(() => document.body.dataset.playing), "true", "get-metrics does not pause");
      for (const r of replies) {
        assert.equal(r.action, "metrics");
        assert.equal(r.runs.length, 6);
        for (const run of r.runs) assert.ok(run.step > 0, `${run.name} at step ${run.step}`);
      }
      // The second answer is no older than the first (both from the latest figures).
      replies[1].runs.forEach((run, i) => assert.ok(run.step >= replies[0].runs[i].step));
      // Paused, get-metrics waits for the steps on their way: it then equals what the page shows.
      const paused = await ask(page, [{ action: "pause" }, { action: "get-metrics" }]);
      assert.equal(paused.timeout, false);
      await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false");
      assert.deepEqual(paused.replies[1].runs.map((r) => r.step), await steps(page));
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("exports while the experiment changes", () => {
  it("an export asked for before a change describes the experiment it was asked about", async () => {
    await withPage("index.html?autoplay=0#seed=5", {}, async (page) => {
      // Paused at step 40 of seed 5; then, in one go, export and draw a new problem (seed 777).
      await ask(page, [{ action: "step", steps: 40 }]);
      assert.equal(await page.locator("#seed").inputValue(), "5");
      const download = page.waitForEvent("download");
      await page.evaluate(() => {
        document.querySelector("#export-json").click();
        const seed = document.querySelector("#seed");
        seed.value = "777";
        seed.dispatchEvent(new Event("change"));
      });
      const out = JSON.parse(readFileSync(await (await download).path()).toString());
      assert.equal(await page.locator("#seed").inputValue(), "777", "the change was applied");
      // The file is about seed 5 at step 40: its config, W* and the runs' matrices agree.
      assert.equal(out.config.problem.seed, 5);
      assert.deepEqual(out.runs.map((r) => r.metrics.step), [40, 40, 40, 40, 40, 40]);
      // W* and run 0's W as one lab built here from the exported config makes them.
      const joint = await page.evaluate(async (config) => {
        const mod = await import(new URL("www/pkg/mc_playground.js?export-test", location.href).href);
        const wasm = await mod.default();
        const lab = new mod.Lab(JSON.stringify(config));
        lab.step(40);
        const cells = lab.rows() * lab.cols();
        const truth = Array.from(new Float64Array(wasm.memory.buffer, lab.truth_ptr(), cells));
        const w0 = Array.from(new Float64Array(wasm.memory.buffer, lab.matrix_ptr(0), cells));
        return { truth, w0 };
      }, out.config);
      assert.deepEqual(out.truth.flat(), joint.truth);
      assert.deepEqual(out.runs[0].matrix.flat(), joint.w0);
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("a worker that cannot be (re)started", () => {
  // The page's files become unreachable after the page loaded (the server went away): a new
  // worker cannot load lab-worker.js, or its core (the .wasm). The page must not start one new
  // worker after another, nor leave runs at step 0 without a word.
  const cases = [
    ["the pool grows (runs added), its script does not load", /lab-worker\.js/],
    ["a trapped worker is replaced, its script does not load", /lab-worker\.js/],
    ["a trapped worker is replaced, its core does not load", /\.wasm/],
  ];
  for (const [how, blocked] of cases) {
    it(`${how}: the runs go on on the page's thread, said so, no endless restarts`, async () => {
      const page = await open("index.html#m=adam&steps=400", { cores: 4 });
      let loads = 0;
      const block = (route) => {
        loads += 1;
        return route.abort();
      };
      try {
        await page.waitForFunction(() => Number(document.querySelector("article[data-run]").dataset.step) > 0);
        assert.equal(await page.evaluate(() => document.body.dataset.workers), "1");
        await context.route(blocked, block);
        if (how.startsWith("the pool")) {
          await page.locator("#method-gd").click();
          await page.locator("#method-momentum").click();
        } else {
          await page.evaluate(() => window.__mcpSimulateTrap());
        }
        // Every run reaches the run length, stepped by the page itself.
        // (60 s: a loaded two-core machine took more than 20.)
        await page.waitForFunction(() => [...document.querySelectorAll("article[data-run]")].every((e) => e.dataset.step === "400"),
          null, { timeout: 60_000 });
        assert.equal(await page.evaluate(() => document.body.dataset.workers), "0");
        assert.match(await page.locator("#load-error").textContent(), /page's own thread, from their start/);
        const after = loads;
        assert.ok(after >= 1 && after <= 3, `${after} attempts to load the worker`);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(loads, after, "no more attempts once the page steps the runs itself");
        assert.deepEqual(page.errors, []);
      } finally {
        await context.unroute(blocked, block);
        await page.close();
      }
    });
  }
});

describe("a trap while paused", () => {
  it("rebuilds the trapped worker's runs and stays paused", async () => {
    await withPage("index.html?autoplay=0", { cores: 4 }, async (page) => {
      await ask(page, [{ action: "step", steps: 30 }]);
      assert.equal(await page.evaluate(() => document.body.dataset.workers), "3");
      assert.deepEqual(await steps(page), [30, 30, 30, 30, 30, 30]);
      await page.evaluate(() => window.__mcpSimulateTrap());
      await page.waitForFunction(() => /rebuilt from their start/.test(document.querySelector("#load-error").textContent));
      await new Promise((r) => setTimeout(r, 800));
      assert.notEqual(await page.evaluate(() => document.body.dataset.playing), "true", "a trap does not start playing");
      assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "false");
      // The first worker's runs (0 and 3 of 6 over 3 workers) start over; the others keep their step.
      assert.deepEqual(await steps(page), [0, 30, 30, 0, 30, 30]);
      await ask(page, [{ action: "step", steps: 1 }]);
      assert.deepEqual(await steps(page), [1, 31, 31, 1, 31, 31]);
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("links edited by hand", () => {
  it("a rejected link's error goes once a later link applies (also a hot one)", async () => {
    await withPage("index.html?autoplay=0", {}, async (page) => {
      await page.evaluate(() => { location.hash = "#beta1=2"; });
      await page.waitForFunction(() => !document.querySelector("#config-error").hidden);
      assert.match(await page.locator("#config-error").textContent(), /Not applied: .*beta1/);
      assert.equal(await page.locator("article[data-run]").count(), 6, "the running experiment is kept");
      // Only a learning rate differs from the running experiment: applied hot.
      await page.evaluate(() => { location.hash = "#lr=0.02"; });
      await page.waitForFunction(() => document.querySelector("#lr-0").value === "0.02");
      assert.equal(await page.locator("#config-error").isHidden(), true, "no stale error next to the applied link");
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("a run's eps (a change that starts over)", () => {
  it("Enter in the eps box applies it once, without an uncaught error", async () => {
    await withPage("index.html?autoplay=0", {}, async (page) => {
      await ask(page, [{ action: "step", steps: 20 }]);
      const eps = page.locator("article[data-run]").nth(0).locator(".eps-input");
      await eps.fill("1e-9");
      await eps.press("Enter"); // the panels are replaced while this box has the focus
      await page.waitForFunction(() => /eps=1e-9/.test(location.hash));
      assert.deepEqual(page.errors, []);
      assert.equal(await page.locator("article[data-run]").count(), 6);
      assert.equal(await page.locator("article[data-run]").nth(0).locator(".eps-input").inputValue(), "1e-9");
      // A change of eps starts over; paused (autoplay=0, then steps), the new experiment waits
      // at step 0 for Play, and then plays.
      await page.waitForTimeout(200);
      assert.equal(await page.locator("article[data-run]").nth(0).getAttribute("data-step"), "0");
      await page.locator("#play").click();
      await page.waitForFunction(() => Number(document.querySelector("article[data-run]").dataset.step) > 0);
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("the recovery map while the size changes", () => {
  it("a map computed for another size says so (the text names the current size)", async () => {
    await withPage("index.html?autoplay=0#rows=12&cols=10&rank=1&observed=60", {}, async (page) => {
      await page.locator("#map-fractions").fill("0.5");
      await page.locator("#map-seeds").fill("1");
      await page.locator("#map-run").click();
      await page.waitForFunction(() => document.querySelector("#recovery").dataset.state === "done", null, { timeout: 60_000 });
      assert.equal(await page.locator("#map-stale").isHidden(), true, "no note while the map is for the current size");
      await page.locator("#rows").fill("13");
      await page.locator("#rows").dispatchEvent("change");
      await page.waitForFunction(() => document.querySelector("#map-size").textContent === "13 × 10");
      assert.equal(await page.locator("#map-stale").isHidden(), false);
      assert.match(await page.locator("#map-stale").textContent(), /for 12 × 10, the size when it was computed; compute it again for 13 × 10/);
      // Back at the map's size: no note.
      await page.locator("#rows").fill("12");
      await page.locator("#rows").dispatchEvent("change");
      await page.waitForFunction(() => document.querySelector("#map-size").textContent === "12 × 10");
      assert.equal(await page.locator("#map-stale").isHidden(), true);
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("a CSV file far too big", () => {
  it("is refused before it is read (the page does not read 40 MB into the text box)", async () => {
    await withPage("index.html?autoplay=0", {}, async (page) => {
      const line = `${Array(200).fill("0.123456789012345").join(",")}\n`;
      const buffer = Buffer.from(line.repeat(Math.ceil(40e6 / line.length)));
      await page.locator("#csv-file").setInputFiles({ name: "big.csv", mimeType: "text/csv", buffer });
      await page.waitForFunction(() => !document.querySelector("#data-error").hidden);
      assert.match(await page.locator("#data-error").textContent(), /Not loaded: CSV: larger than 16 MB \(this file: 38 MB\)\. The previous experiment keeps running\./);
      assert.equal(await page.locator("#csv-text").evaluate((t) => t.value.length), 0, "the file was not read into the text box");
      assert.equal(await page.locator("article[data-run]").count(), 6, "the running experiment is kept");
      assert.equal(await page.locator("#truth-panel").getAttribute("data-rows"), "30");
      assert.deepEqual(page.errors, []);
    });
  });
});

describe("many config changes while playing", () => {
  it("leave one worker per pool slot (plus the PCA's), and figures of the running experiment only", async () => {
    await withPage("index.html", { cores: 4 }, async (page) => {
      const ids = ["method-rmsprop", "method-adagrad", "method-gd", "method-momentum", "method-nesterov"];
      for (let round = 0; round < 4; round++) {
        for (const id of ids) await page.locator(`#${id}`).click(); // 6 runs ↔ 1 run: 3 workers ↔ 1
        // Right after a change (in the same task) the page shows the new experiment at step 0.
        const steps = await page.evaluate((seed) => {
          const el = document.querySelector("#seed");
          el.value = String(seed);
          el.dispatchEvent(new Event("change"));
          return [...document.querySelectorAll("article[data-run]")].map((e) => Number(e.dataset.step));
        }, round + 1);
        assert.ok(steps.every((s) => s === 0), `after the change: steps ${steps}`);
      }
      await page.waitForFunction(() => Number(document.querySelector("article[data-run]").dataset.step) > 0);
      const pool = Number(await page.evaluate(() => document.body.dataset.workers));
      assert.equal(pool, 3);
      const workers = page.workers().length;
      assert.ok(workers >= pool && workers <= pool + 1, `${workers} workers for a pool of ${pool} (and the PCA's)`);
      assert.deepEqual(page.errors, []);
    });
  });
});
