// A parent page with two frames (tests/e2e/fixtures/embed-two.html, which uses docs/embed.md's
// parent snippet): each frame's height follows its resize messages; the frame off screen rests
// (its step counter stays at 0) while the one on screen plays, and goes on once scrolled into
// view; each frame's events come in order (ready, steps, finished).
//
//   MCP_BASE_URL=http://127.0.0.1:8000/ node --test tests/e2e/page-embed-events.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, gotoPage, launchWatched, openPage, stepCount } from "./helpers.mjs";
import { launchFresh } from "../../scripts/chromium.mjs";

describe("two frames on a parent page", () => {
  let browser;
  let page;
  const events = (id) => page.evaluate((id) => window.__events[id], id);
  const frameStep = (id) => page.frameLocator(`#${id}`).locator("#frame-step").getAttribute("data-step").then(Number);

  before(async () => {
    browser = await launchWatched("mcp-embed-");
    page = browser.page;
    await page.goto(new URL("tests/e2e/fixtures/embed-two.html", BASE_URL).href, { waitUntil: "load" });
  });
  after(async () => {
    await browser?.close();
  });

  it("sizes each frame to its content: resize messages, and the frame's height follows", async () => {
    // The last height told, the frame's inner height and its content's height agree (once laid out).
    const settled = (extra) => page.waitForFunction((extra) => {
      const f = document.querySelector("#a");
      const told = window.__events.a.filter((e) => e.action === "resize").at(-1)?.height;
      const content = Math.ceil(f.contentDocument?.documentElement.getBoundingClientRect().height ?? -1);
      return told > 300 && f.clientHeight === told && content === told && (extra === null || f.contentDocument.querySelector("#taller")?.offsetHeight === extra) && told;
    }, extra, { timeout: 30_000 }).then((h) => h.jsonValue());
    const told = await settled(null);
    // More content in the frame: a new height is told, and the frame follows it; and back.
    await page.frameLocator("#a").locator("body").evaluate((b) => {
      const d = document.createElement("div");
      d.id = "taller";
      d.style.height = "300px";
      b.append(d);
    });
    const taller = await settled(300);
    assert.ok(taller >= told + 300 - 40 && taller <= told + 300 + 40, `${told} then ${taller}`);
    await page.frameLocator("#a").locator("#taller").evaluate((d) => d.remove());
    await settled(null);
  });

  it("rests the frame off screen while the one on screen plays, and plays it once shown", async () => {
    await page.waitForFunction(() => window.__events.a.some((e) => e.action === "finished"), null, { timeout: 60_000 });
    const aSteps = (await events("a")).filter((e) => e.action === "step").map((e) => e.step);
    assert.ok(aSteps.length >= 2 && aSteps.at(-1) === 400, `a played to its end: ${aSteps}`);
    assert.equal(await frameStep("b"), 0, "the frame off screen did not step");
    assert.deepEqual((await events("b")).filter((e) => ["step", "finished"].includes(e.action)), []);
    await page.locator("#b").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.__events.b.some((e) => e.action === "finished"), null, { timeout: 60_000 });
    assert.equal(await frameStep("b"), 400);
  });

  it("pushes its events in order: ready, then steps (a few a second, growing), then finished", async () => {
    for (const id of ["a", "b"]) {
      const race = (await events(id)).filter((e) => e.action !== "resize");
      const kinds = race.map((e) => e.action);
      assert.equal(kinds[0], "ready", `${id}: ${kinds}`);
      assert.equal(kinds.at(-1), "finished", `${id}: ${kinds}`);
      assert.ok(kinds.slice(1, -1).every((k) => k === "step") && kinds.length >= 3, `${id}: ${kinds}`);
      const steps = race.slice(1, -1).map((e) => e.step);
      assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]), `${id}: steps grow: ${steps}`);
      assert.equal(steps.at(-1), 400);
      // At most a few a second (counted over the run: their arrival times here jitter with the page's thread).
      const at = race.slice(1, -1).map((e) => e.at);
      const span = at.at(-1) - at[0];
      assert.ok(at.length - 1 <= span / 240 + 1, `${id}: ${at.length} step events in ${Math.round(span)} ms`);
      const last = race.at(-1);
      assert.equal(last.step, 400);
      assert.deepEqual(last.runs.map((r) => r.name), ["adam", "gd"]);
      for (const k of ["label", "step", "test_error", "train_error", "effective_rank", "diverged_at"]) assert.ok(k in last.runs[0], k);
    }
    assert.deepEqual(browser.pageErrors, []);
    assert.deepEqual(browser.consoleErrors, []);
  });
});

describe("a page in a hidden tab", () => {
  it("takes no steps while hidden and goes on when shown", async () => {
    const browser = await launchWatched("mcp-hidden-");
    try {
      const page = browser.page;
      // The tab's visibility, as the test sets it (a headless page is always visible).
      await page.addInitScript(() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => window.__visibility ?? "visible" });
        window.__setVisibility = (v) => {
          window.__visibility = v;
          document.dispatchEvent(new Event("visibilitychange"));
        };
      });
      await openPage(page, "#rows=12&cols=12&observed=60&m=adam,gd&steps=100000", { stepping: true });
      await page.evaluate(() => window.__setVisibility("hidden"));
      await page.waitForFunction(() => document.body.dataset.playing === "false");
      const at = await stepCount(page);
      await page.waitForTimeout(800);
      assert.equal(await stepCount(page), at, "no steps while hidden");
      assert.equal(await page.locator("#play-status").textContent(), "resting while out of sight: it goes on when shown");
      await page.evaluate(() => window.__setVisibility("visible"));
      await page.waitForFunction((at) => Number(document.querySelector("#step-counter").dataset.step) > at + 100, at);
      assert.equal(await page.evaluate(() => document.body.dataset.playing), "true");
    } finally {
      await browser.close();
    }
  });
});

describe("a frame's events when a run diverges", () => {
  it("pushes ready, steps, diverged (the run and its step), then finished, in that order", async () => {
    const browser = await launchWatched("mcp-diverge-");
    try {
      const page = browser.page;
      await page.goto(new URL("tests/e2e/fixtures/embed-parent.html", BASE_URL).href, { waitUntil: "load" });
      await page.frameLocator("#frame").locator("article[data-run]").first().waitFor({ timeout: 30_000 });
      await page.evaluate(() => window.__send({ type: "mc-playground", action: "set-config", config: {
        problem: { rows: 12, cols: 12, rank: 2, observed: 60 }, steps: 300,
        optimizers: [{ name: "adam", learning_rate: 0.01 }, { name: "gd", learning_rate: 1e6 }] } }));
      await page.waitForFunction(() => window.__replies.some((r) => r.action === "ok" && r.request === "set-config"));
      await page.evaluate(() => window.__send({ type: "mc-playground", action: "play" }));
      await page.waitForFunction(() => window.__replies.some((r) => r.action === "finished"), null, { timeout: 60_000 });
      const all = (await page.evaluate(() => window.__replies)).filter((r) => ["ready", "step", "diverged", "finished"].includes(r.action));
      const race = all.slice(all.map((r) => r.action).lastIndexOf("ready"));
      const kinds = race.map((r) => r.action);
      assert.equal(kinds[0], "ready", kinds.join());
      assert.equal(kinds.at(-1), "finished", kinds.join());
      assert.deepEqual(kinds.filter((k) => k === "diverged"), ["diverged"], kinds.join());
      const d = kinds.indexOf("diverged");
      assert.ok(d >= 2 && kinds[d - 1] === "step", `a step event before diverged: ${kinds}`);
      const diverged = race[d];
      const finished = race.at(-1);
      const gd = finished.runs.find((r) => r.name === "gd");
      assert.deepEqual({ run: diverged.run, label: diverged.label, step: diverged.step }, { run: "gd", label: "GD", step: gd.diverged_at });
      assert.equal(finished.step, 300);
      assert.ok(race.slice(1, d).every((r) => r.step <= race[d - 1].step), "steps grow");
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });
});

describe("without scripts", () => {
  /** The poster's picture (loaded) and its sentence, as the page shows them. */
  const poster = (page) => page.evaluate(() => {
    const img = document.querySelector(".poster img");
    return img && { loaded: img.complete && img.naturalWidth > 0, shown: img.getBoundingClientRect().width > 100, alt: img.alt, words: document.querySelector(".poster figcaption").textContent };
  });

  it("shows a picture of the race and one sentence in place of the live figure without JavaScript", async () => {
    const browser = await launchFresh("mcp-nojs-", { javaScriptEnabled: false });
    try {
      await gotoPage(browser.page, "?embed=1");
      const p = await poster(browser.page);
      assert.ok(p?.loaded && p.shown, JSON.stringify(p));
      assert.match(p.words, /^The playground runs in your browser with JavaScript and WebAssembly.*Adam has found the hidden matrix W\* \(test error 0\.0137\).*\.$/);
      assert.doesNotMatch(p.words, /\.\s/, "one sentence");
      for (const sel of ["#loading", "#matrices", ".shared", ".controls"]) assert.equal(await browser.page.locator(sel).first().isVisible(), false, sel);
    } finally {
      await browser.close();
    }
  });

  it("shows it too when WebAssembly is missing, under the reason", async () => {
    const browser = await launchFresh("mcp-nowasm-");
    try {
      await browser.page.addInitScript(() => { delete window.WebAssembly; });
      await gotoPage(browser.page);
      await browser.page.locator("#load-error .poster img").waitFor({ timeout: 30_000 });
      const p = await poster(browser.page);
      assert.ok(p.shown, JSON.stringify(p));
      await browser.page.waitForFunction(() => document.querySelector(".poster img").naturalWidth > 0);
    } finally {
      await browser.close();
    }
  });
});
