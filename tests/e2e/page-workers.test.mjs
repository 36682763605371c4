// The page steps its runs in Web Workers (www/engine/pool.js, www/engine/lab-worker.js): the runs are stepped
// there and not by the page's own Lab; the page's figures, its exports and its PCA equal those of
// one joint Lab holding every run, computed here in the page with the same module, bit for bit
// (also across a hot learning-rate change and a run switched off); and a 100 × 100 experiment
// with six optimizers leaves the page's thread free to draw. Chromium at /usr/bin/chromium,
// never a downloaded browser.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchFresh } from "../../scripts/chromium.mjs";
import { BASE_URL, download, newTab, pause } from "./helpers.mjs";

let browser;
let context;
const errors = [];

const open = (path) => newTab(context, path, { errors });

before(async () => {
  browser = await launchFresh("mcp-workers-", { acceptDownloads: true });
  ({ context } = browser);
});

after(async () => {
  await browser?.close();
});

/** Every panel's figures as the page shows them (data-* attributes: the numbers, as strings). */
function panelFigures(page) {
  return page.locator("article[data-run]").evaluateAll((els) => els.map((e) => ({
    name: e.dataset.run, step: e.dataset.step, test: e.dataset.testError, train: e.dataset.trainError, erank: e.dataset.effectiveRank,
  })));
}

/** The text of the download that clicking `button` starts. */
async function save(page, button) {
  return (await download(page, button)).data.toString();
}

/**
 * One joint Lab (every run in one lab, on the page's thread, a separate instance of the module)
 * built from `config` and driven by `script` ([["step", k] | ["lr", i, v] | ["off", i]]):
 * each run's figures as strings, W row-major, and the trajectory PCA's explained fractions.
 */
function jointLab(page, config, script) {
  return page.evaluate(async ({ config, script }) => {
    const mod = await import(new URL("www/pkg/mc_playground.js?joint-lab-test", location.href).href);
    const wasm = await mod.default();
    const lab = new mod.Lab(JSON.stringify(config));
    for (const [op, a, b] of script) {
      if (op === "step") lab.step(a);
      else if (op === "lr") lab.set_learning_rate(a, b);
      else if (op === "off") lab.set_enabled(a, false);
    }
    const m = lab.rows();
    const n = lab.cols();
    const runs = [];
    for (let i = 0; i < lab.run_count(); i++) {
      const f = lab.metrics(i);
      const ptr = lab.matrix_ptr(i);
      const W = Array.from(new Float64Array(wasm.memory.buffer, ptr, m * n));
      runs.push({
        name: lab.run_name(i), step: String(f.step), test: String(f.test_error), train: String(f.train_error),
        erank: String(f.effective_rank), metrics: f, W,
      });
    }
    const pca = lab.trajectory_pca();
    lab.free();
    return { runs, explained: pca.explained.join(","), rows: m, cols: n };
  }, { config, script });
}

describe("the runs are stepped in Web Workers", { timeout: 180_000 }, () => {
  it("steps every run in workers (one per core but one, at most one per run); the page's own lab is not stepped", async () => {
    const page = await open("index.html");
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 50, null, { timeout: 60_000 });
    const { workers, expected, pageLab, shown } = await page.evaluate(() => ({
      workers: Number(document.body.dataset.workers),
      expected: Math.max(1, Math.min(6, (navigator.hardwareConcurrency || 2) - 1)),
      pageLab: window.__mcpPageLabSteps(),
      shown: [...document.querySelectorAll("article[data-run]")].map((e) => Number(e.dataset.step)),
    }));
    assert.equal(workers, expected);
    assert.ok(shown.every((s) => s >= 50), `the runs were stepped: ${shown}`);
    assert.deepEqual(pageLab, [0, 0, 0, 0, 0, 0], "the page's own lab was stepped");
    await page.close();
    // ?workers=0: the page's own lab steps (the fallback when there are no workers).
    const local = await open("index.html?workers=0");
    await local.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 50, null, { timeout: 60_000 });
    assert.equal(await local.evaluate(() => document.body.dataset.workers), "0");
    assert.ok((await local.evaluate(() => window.__mcpPageLabSteps())).every((s) => s >= 50));
    await local.close();
    assert.deepEqual(errors, []);
  });

  it("steps on the page's thread when the workers cannot start", async () => {
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.route("**/www/engine/lab-worker.js", (route) => route.abort());
    await page.goto(new URL("index.html", BASE_URL).href);
    await page.waitForFunction(() => document.body.dataset.workers === "0" &&
      Number(document.querySelector("#step-counter").dataset.step) >= 20, null, { timeout: 60_000 });
    assert.ok((await page.evaluate(() => window.__mcpPageLabSteps())).every((s) => s >= 20), "the page's lab steps");
    assert.equal(await page.locator("#load-error").isHidden(), true);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it("shows, exports and projects exactly the numbers of one joint lab after 120 steps", async () => {
    const page = await open("index.html#steps=120");
    await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false" &&
      [...document.querySelectorAll("article[data-run]")].every((e) => e.dataset.step === "120"), null, { timeout: 90_000 });
    const json = JSON.parse(await save(page, "#export-json"));
    const joint = await jointLab(page, json.config, [["step", 120]]);
    assert.equal(joint.runs.length, 6);
    const shown = await panelFigures(page);
    for (const [i, r] of joint.runs.entries()) {
      const { W, metrics, ...figures } = r;
      assert.deepEqual(shown[i], figures, `run ${i}'s figures`);
      assert.equal(json.runs[i].metrics.step, 120);
      assert.equal(json.runs[i].metrics.test_error, metrics.test_error, `run ${i}'s exported test error`);
      assert.equal(json.runs[i].metrics.objective, metrics.objective, `run ${i}'s exported objective`);
      assert.deepEqual(json.runs[i].matrix.flat(), W, `run ${i}'s exported matrix`);
      assert.equal(json.runs[i].matrix.length, joint.rows);
    }
    // The histories CSV ends every run at step 120 with the joint lab's test error.
    const lines = (await save(page, "#export-csv")).trim().split("\n");
    const header = lines[0].split(",");
    const col = (name) => header.indexOf(name);
    for (const [i, r] of joint.runs.entries()) {
      const last = lines.filter((l) => l.startsWith(`${i},${r.name},`)).pop().split(",");
      assert.equal(last[col("step")], "120");
      assert.equal(last[col("test_error")], r.test);
    }
    // The completed-CSV download of run 0 (asked of its worker) is its W.
    const csv = await save(page, '#data-downloads button[data-run="0"]');
    assert.deepEqual(csv.trim().split("\n").map((l) => l.split(",").map(Number)).flat(), joint.runs[0].W);
    // The trajectory PCA, from the workers' snapshots, is the joint lab's.
    await page.locator("#pca-plot").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("#pca-plot").dataset.step === "120", null, { timeout: 30_000 });
    assert.equal(await page.locator("#pca-plot").getAttribute("data-explained"), joint.explained);
    await page.close();
    assert.deepEqual(errors, []);
  });

  it("keeps the joint lab's numbers across single steps, a hot learning-rate change and a run switched off", async () => {
    const page = await open("index.html");
    await pause(page);
    await page.locator("#reset").click();
    for (let k = 0; k < 2; k++) await page.locator("#step-once").click();
    await page.waitForFunction(() => [...document.querySelectorAll("article[data-run]")].every((e) => e.dataset.step === "2"));
    await page.locator("#lr-3").fill("7"); // GD
    await page.locator("#lr-3").press("Enter");
    await page.locator("#on-1").uncheck(); // RMSProp
    for (let k = 0; k < 3; k++) await page.locator("#step-once").click();
    await page.waitForFunction(() => document.querySelector('article[data-run="adam"]').dataset.step === "5");
    const json = JSON.parse(await save(page, "#export-json"));
    json.config.optimizers[3].learning_rate = 0.01; // the joint lab starts from the rate GD had
    const joint = await jointLab(page, json.config, [["step", 2], ["lr", 3, 7], ["off", 1], ["step", 3]]);
    const shown = await panelFigures(page);
    assert.equal(shown[1].step, "2", "RMSProp, switched off, stayed at step 2");
    assert.equal(shown[3].step, "5");
    for (const [i, r] of joint.runs.entries()) {
      const { W, metrics, ...figures } = r;
      assert.deepEqual(shown[i], figures, `run ${i}'s figures`);
      assert.deepEqual(json.runs[i].matrix.flat(), W, `run ${i}'s matrix`);
    }
    // GD at rate 7 moved differently from GD at 0.01: the change did apply.
    const slow = await jointLab(page, json.config, [["step", 5]]);
    assert.notEqual(slow.runs[3].test, shown[3].test);
    await page.close();
    assert.deepEqual(errors, []);
  });

  it("draws a 100 × 100 experiment with six optimizers at a steady frame rate: the stepping is not on the page's thread", async () => {
    const page = await open("index.html#rows=100&cols=100&observed=3000&steps=100000");
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) >= 3, null, { timeout: 60_000 });
    const r = await page.evaluate(async () => {
      // One step of all six runs, as the page's thread would take it, timed here (before the window).
      const mod = await import(new URL("www/pkg/mc_playground.js?cost-test", location.href).href);
      await mod.default();
      const config = JSON.parse(mod.Lab.default_config());
      Object.assign(config.problem, { rows: 100, cols: 100, observed: 3000 });
      const lab = new mod.Lab(JSON.stringify(config));
      lab.step(1);
      const c0 = performance.now();
      lab.step(3);
      const stepMs = (performance.now() - c0) / 3;
      lab.free();
      // Then 4 s of frames: the gaps between animation frames, and the page's own frame work.
      const gaps = [];
      let busy = 0;
      const s0 = Number(document.querySelector("#step-counter").dataset.step);
      const t0 = performance.now();
      const raf = window.requestAnimationFrame;
      window.requestAnimationFrame = (cb) => raf((t) => {
        const a = performance.now();
        try { cb(t); } finally { busy += performance.now() - a; }
      });
      let last = 0;
      await new Promise((done) => {
        const f = (t) => {
          if (last) gaps.push(t - last);
          last = t;
          if (performance.now() - t0 < 4000) raf(f);
          else done();
        };
        raf(f);
      });
      window.requestAnimationFrame = raf;
      const steps = Number(document.querySelector("#step-counter").dataset.step) - s0;
      gaps.sort((a, b) => a - b);
      const at = (q) => gaps[Math.floor(q * (gaps.length - 1))];
      return { stepMs, steps, busy, median: at(0.5), p90: at(0.9), max: at(1), frames: gaps.length };
    });
    const info = JSON.stringify(r);
    assert.ok(r.steps >= 5, `the runs kept stepping: ${info}`);
    // The page's own lab did none of those steps (the workers did). Not a bound on the frames'
    // work: on a loaded two-core machine the one worker gets few steps done while the drawing of
    // six 100 × 100 heatmaps stays the same, so a time ratio would measure the machine's load.
    const pageLab = await page.evaluate(() => window.__mcpPageLabSteps());
    assert.ok(pageLab.every((s) => s === 0), `the page's lab stepped: ${JSON.stringify(pageLab)} ${info}`);
    // Frames keep coming (the bound leaves room for a machine busy with other work).
    assert.ok(r.p90 < 100, `frames came slowly: ${info}`);
    await page.close();
    assert.deepEqual(errors, []);
  });
});
