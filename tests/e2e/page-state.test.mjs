// End-to-end checks that what the page links, accepts and says is about the experiment that runs:
// the link holds every field that changes a run, set-config keeps the controls' limits, a big
// step request does not hold up a new experiment, switched-off runs stay off, and the race
// caption, the sweep, the errors, "Copy link" and the presets describe the running experiment.
// Each test fails without its fix. Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/page-state.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PRESETS } from "../../www/presets.js";
import { ask, foreignRequests, launchWatched, newTab, openPage, pause, setValue, stepCount, sweepGrid, waitForHash } from "./helpers.mjs";

let browser, page, consoleErrors, pageErrors, requests; // launchWatched's, from before() on

const open = (hash) => openPage(page, hash);

/** Runs the sweep with the given grid (quick: 300 steps) and waits until it is done. */
async function quickSweep(from, to) {
  await sweepGrid(page, from, to, "1", "quick");
  await page.locator("#sens-run").click();
  await page.waitForFunction(() => document.querySelector("#sensitivity").dataset.state === "done", null, { timeout: 60_000 });
}

/** Loads `csv` as your data and waits for its size. */
async function loadCsv(csv, rows) {
  await page.fill("#csv-text", csv);
  await page.click("#csv-load");
  await page.waitForFunction((rows) => document.querySelector("#truth-panel").dataset.rows === String(rows), rows);
}

/** Whether run `name`'s "on" box is ticked. */
function isOn(name) {
  return page.locator(`article[data-run="${name}"] [data-testid="run-enabled"]`).isChecked();
}

describe("what the page links, accepts and says is the running experiment", { timeout: 300_000 }, () => {
  before(async () => ({ page, consoleErrors, pageErrors, requests } = browser = await launchWatched("mcp-e2e-state-")));
  after(() => browser?.close());

  it("writes a deep network's width in the link, which then reproduces the run", async () => {
    await open("");
    const config = { model: { depth: 2, width: 3, init: "gaussian", init_scale: 0.1 }, optimizers: [{ name: "adam", learning_rate: 0.01 }] };
    const set = await ask(page, [{ action: "pause" }, { action: "set-config", config }]);
    assert.deepEqual(set.replies.map((r) => r.action), ["ok", "ok"]);
    await waitForHash(page, /[#&]width=3(&|$)/);
    const other = await newTab(browser.context, `index.html${await page.evaluate(() => location.hash)}`);
    try {
      const errors = [];
      for (const p of [page, other]) {
        const r = await ask(p, [{ action: "pause" }, { action: "reset" }, { action: "step", steps: 50 }, { action: "get-metrics" }], 30_000);
        assert.equal(r.timeout, false);
        assert.equal(r.replies[3].runs[0].step, 50);
        errors.push(r.replies[3].runs[0].test_error);
      }
      assert.equal(errors[0], errors[1], "Adam's test error after 50 steps, here and from the link");
    } finally {
      await other.close();
    }
  });

  it("refuses in set-config a run length or seed that the controls and the link refuse, and changes nothing", async () => {
    await open("");
    await pause(page);
    await waitForHash(page, /seed=0/);
    const hash = await page.evaluate(() => location.hash);
    const r = await ask(page, [{ action: "set-config", config: { steps: 0 } }, { action: "set-config", config: { problem: { seed: 2 ** 60 } } }]);
    assert.deepEqual(r.replies.map((x) => x.action), ["error", "error"], JSON.stringify(r.replies));
    assert.match(r.replies[0].error, /^steps: .*1 to 10⁸/);
    assert.match(r.replies[1].error, /^problem\.seed: .*2⁵³ − 1/);
    assert.equal(await page.locator("#steps").inputValue(), "3000");
    assert.equal(await page.locator("#seed").inputValue(), "0");
    assert.doesNotMatch(await page.locator("#play-status").textContent(), /stopped at step 0/);
    await page.waitForTimeout(400); // the hash is written 250 ms after a change
    assert.equal(await page.evaluate(() => location.hash), hash);
    // The problem controls still apply (none holds a value the page refuses).
    await setValue(page, "rows", "20");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "20");
    assert.equal(await page.locator("#config-error").isHidden(), true);
  });

  for (const [how, query] of [["in workers", ""], ["on the page's thread", "?workers=0"]]) {
    it(`takes a big step request in short batches ${how}: New problem, Reset, Pause and later messages apply at once`, async () => {
      await open(`${query}#rows=200&cols=200&observed=8000&m=adam,adam,adam,adam,adam,adam,adam,adam`);
      assert.equal(await page.evaluate(() => document.body.dataset.workers !== "0"), query === "");
      // Not waited for: its 10 000 steps would take many minutes.
      const bigStep = () => page.evaluate(() => window.postMessage({ type: "mc-playground", action: "step", steps: 10000 }, "*"));
      const advances = async () => {
        const s = await stepCount(page);
        await page.waitForFunction((s) => Number(document.querySelector("#step-counter").dataset.step) > s, s, { timeout: 20_000 });
      };
      await bigStep();
      await advances();
      await page.locator("#new-problem").click();
      await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "0");
      await page.locator("#play").click();
      await advances();
      // Reset drops the rest of a request: the runs stay at step 0.
      await bigStep();
      await advances();
      await page.locator("#reset").click();
      await page.waitForTimeout(1500);
      assert.equal(await stepCount(page), 0);
      // Play takes over from a request; Pause then holds at once.
      await bigStep();
      await advances();
      await page.locator("#play").click();
      await advances();
      await page.locator("#play").click();
      await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false", null, { timeout: 5000 });
      const at = await stepCount(page);
      await page.waitForTimeout(1000);
      assert.equal(await stepCount(page), at);
      // A later message does not wait behind the request either.
      await bigStep();
      await advances();
      const r = await ask(page, [{ action: "reset" }, { action: "get-metrics" }], 10_000);
      assert.equal(r.timeout, false, "reset and get-metrics after a step of 10 000");
      assert.ok(r.replies[1].runs.every((run) => run.step === 0), JSON.stringify(r.replies[1].runs));
    });
  }

  it("keeps a switched-off run off in the tuned race, and for a CSV and the bundled picture", async () => {
    await open("#rows=10&cols=10&observed=50&m=adam,gd&off=1");
    await quickSweep("-2", "0");
    await page.locator("#race-tuned").click();
    await page.waitForFunction(() => document.querySelector("#race-badge").dataset.race === "tuned");
    assert.equal(await isOn("gd"), false, "GD in the tuned race");
    await waitForHash(page, /[#&]off=1(&|$)/);
    await loadCsv("1,2,3\n2,,6\n3,6,", 3);
    assert.equal(await isOn("gd"), false, "GD on your CSV");
    await page.click("#image-preset");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "64");
    assert.equal(await isOn("gd"), false, "GD on the bundled picture");
    assert.equal(await isOn("adam"), true);
  });

  it("makes the tuned race's claim about GD only where it was checked, and ranks no rates without unseen entries", async () => {
    await open("#rows=10&cols=10&observed=50&m=adam,rmsprop&penalty=nuclear");
    await quickSweep("-3", "-1");
    await page.locator("#race-tuned").click();
    await page.waitForFunction(() => document.querySelector("#race-badge").dataset.race === "tuned");
    const caption = await page.locator("#race-caption").textContent();
    assert.doesNotMatch(caption, /GD/);
    assert.match(caption, /Adam .*RMSProp /);
    // Every entry seen: no test error, so no best rate.
    await loadCsv("1,2\n3,4", 2);
    await quickSweep("-2", "0");
    assert.match(await page.locator("#sens-note").textContent(), /cannot rank/);
    assert.equal(await page.locator("#sens-best").isHidden(), true);
    assert.equal(await page.locator("#race-tuned").isDisabled(), true);
  });

  it("clears the run length's error once a good run length is entered", async () => {
    await open("");
    await page.locator("#steps").fill("0");
    await page.locator("#steps").press("Enter");
    await page.waitForFunction(() => /Back to 3000/.test(document.querySelector("#config-error").textContent));
    await page.locator("#steps").fill("5000");
    await page.locator("#steps").press("Enter");
    await waitForHash(page, /steps=5000/);
    assert.equal(await page.locator("#config-error").isHidden(), true);
    assert.equal(await page.locator("#steps").getAttribute("aria-invalid"), null);
  });

  it("says that a copied link does not hold your data", async () => {
    await open("");
    const title = () => page.locator("#copy-link").getAttribute("title");
    assert.match(await title(), /reproduces this experiment/);
    await loadCsv("1,2,3\n2,,6\n3,6,", 3);
    assert.match(await title(), /not your data/);
    assert.doesNotMatch(await title(), /reproduces this experiment/);
    await page.click("#copy-link");
    await page.waitForFunction(() => document.querySelector("#copy-status").textContent !== "");
    assert.match(await page.locator("#copy-status").textContent(), /not your data/);
    // Back to a random problem: the link is the experiment again, and the note goes.
    await setValue(page, "rows", "12");
    await page.waitForFunction(() => document.querySelector("#truth-panel").dataset.rows === "12");
    assert.match(await title(), /reproduces this experiment/);
    assert.equal(await page.locator("#copy-status").textContent(), "");
  });

  it("shows a preset's caption and pressed button only while its experiment runs", async () => {
    await open("");
    const byId = Object.fromEntries(PRESETS.map((p) => [p.id, p]));
    const shown = () => page.evaluate(() => ({
      pressed: [...document.querySelectorAll("#preset-list [aria-pressed=true]")].map((b) => b.dataset.preset),
      caption: document.querySelector("#preset-caption").textContent,
    }));
    const runsAre = (names) => page.waitForFunction((names) =>
      [...document.querySelectorAll("article[data-run]")].map((e) => e.dataset.run).join() === names, names);
    await page.locator('[data-preset="nuclear"]').click();
    await runsAre("adam,gd");
    await page.locator('[data-preset="newton"]').click();
    await runsAre("newton,gradient_flow,gd");
    await waitForHash(page, /steps=300/);
    // At once: a write of the link due from the experiment before (250 ms after its last change)
    // showed the nuclear preset again while the Newton one was on its way (CI, under load).
    assert.deepEqual(await shown(), { pressed: ["newton"], caption: byId.newton.caption });
    // Back: the nuclear experiment again, with its caption.
    await page.evaluate(() => history.back());
    await runsAre("adam,gd");
    await page.waitForFunction(() => document.querySelector("#preset-list [aria-pressed=true]")?.dataset.preset === "nuclear");
    assert.deepEqual(await shown(), { pressed: ["nuclear"], caption: byId.nuclear.caption });
    // A change of the experiment: no preset's caption.
    await setValue(page, "penalty", "ratio");
    await waitForHash(page, /penalty=ratio/);
    await page.waitForFunction(() => document.querySelector("#preset-caption").textContent === "");
    assert.deepEqual(await shown(), { pressed: [], caption: "" });
  });

  it("made no console errors, no page errors, and only same-origin requests", async () => {
    assert.deepEqual(pageErrors, [], "page errors");
    assert.deepEqual(consoleErrors, [], "console errors");
    assert.deepEqual(foreignRequests(requests), [], "requests to other origins");
  });
});
