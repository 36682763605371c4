// Hostile use of the worker-backed page: messages while playing, exports while the experiment
// changes, workers that cannot be (re)started. Each test is about one failure found by trying
// to break the page; it fails without its fix. Chromium at /usr/bin/chromium, never a downloaded
// browser.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE_URL = process.env.MCP_BASE_URL || "http://127.0.0.1:8000/";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let dir;
let context;

/**
 * Opens the page; `cores` fakes navigator.hardwareConcurrency (the pool has cores − 1 workers).
 * page.errors collects page errors and console errors.
 */
async function open(path, { cores } = {}) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  if (cores) await page.addInitScript((c) => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => c }), cores);
  await page.goto(new URL(path, BASE_URL).href);
  await page.waitForSelector("article[data-run]");
  return page;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-hostile-"));
  context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium", args: ARGS, acceptDownloads: true, viewport: { width: 1400, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Posts `msgs` to the page as a parent would and resolves to its replies ("timeout" if some never came). */
function ask(page, msgs, ms = 5000) {
  return page.evaluate(({ msgs, ms }) => new Promise((resolve) => {
    const replies = [];
    const timer = setTimeout(() => resolve({ timeout: true, replies }), ms);
    window.addEventListener("message", (e) => {
      if (e.data?.type !== "mc-playground" || !["ok", "error", "metrics"].includes(e.data.action)) return;
      replies.push(e.data);
      if (replies.length === msgs.length) {
        clearTimeout(timer);
        resolve({ timeout: false, replies });
      }
    });
    for (const m of msgs) window.postMessage({ type: "mc-playground", ...m }, "*");
  }), { msgs, ms });
}

function steps(page) {
  return page.locator("article[data-run]").evaluateAll((els) => els.map((e) => Number(e.dataset.step)));
}

describe("postMessage API while the workers play", () => {
  it("answers get-metrics while playing a big experiment (and the messages after it)", async () => {
    const page = await open("index.html#rows=120&cols=120&rank=3&observed=5000");
    try {
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
    } finally {
      await page.close();
    }
  });
});
