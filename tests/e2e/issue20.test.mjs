// Issue 20: defects found by trying the page as a blog author, a teacher or a first-time reader
// would (the documented embed, Space after a click, a rate changed after the race ended, noise
// and stale text). Same setup as page.test.mjs (Debian's Chromium, fresh profile).
//
//   MCP_BASE_URL=http://127.0.0.1:8123/ node --test tests/e2e/issue20.test.mjs

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BASE_URL, launchWatched, openPage, pause, withBrowser } from "./helpers.mjs";
import { launchFresh } from "../../scripts/chromium.mjs";

const lrsOf = (pg) => pg.locator("article[data-run] input[id^='lr-']:not([type=range])").evaluateAll((els) => els.map((e) => Number(e.value)));

describe("issue 20: the documented embed races at the race's rate", { timeout: 60_000 }, () => {
  it("panels=adam,gd with no lr= starts both methods at 0.01, as the full page does", async () => {
    const embed = await launchFresh("mcp-e2e-i20-embed-", { viewport: { width: 720, height: 800 } });
    try {
      const pg = embed.page;
      await pg.goto(`${BASE_URL}?embed=1&controls=0&panels=adam,gd&autoplay=0`, { waitUntil: "load" });
      await pg.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 2, null, { timeout: 30_000 });
      assert.deepEqual(await lrsOf(pg), [0.01, 0.01]);
      assert.match(await pg.locator("#race-badge").textContent(), /equal learning rates 0\.01\b/);
      // A rate in the link still wins.
      await pg.goto("about:blank");
      await pg.goto(`${BASE_URL}?embed=1&controls=0&panels=adam,gd&autoplay=0#lr=0.01,100`, { waitUntil: "load" });
      await pg.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 2, null, { timeout: 30_000 });
      assert.deepEqual(await lrsOf(pg), [0.01, 100]);
    } finally {
      await embed.close();
    }
  });

  it("docs/embed.md and the README link the equal-rate race and the tuned race (GD at 100)", () => {
    const doc = readFileSync(new URL("../../docs/embed.md", import.meta.url), "utf8");
    const srcs = [...doc.matchAll(/<iframe src="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(srcs.some((s) => /panels=adam,gd/.test(s) && !/lr=/.test(s)), `an equal-rate link: ${srcs}`);
    assert.ok(srcs.some((s) => /panels=adam,gd#.*lr=0\.01,100\b/.test(s)), `a tuned link: ${srcs}`);
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    assert.doesNotMatch(readme, /panels=adam,gd#lr=0\.01,0\.01/);
  });
});

describe("issue 20: the page in a reader's hands", { timeout: 180_000 }, () => {
  let browser, page, pageErrors;
  before(async () => {
    browser = await launchWatched("mcp-e2e-i20-", { viewport: { width: 1400, height: 900 } });
    ({ page, pageErrors } = browser);
    // Every text drawn on a canvas, by canvas id (the plots' tick labels).
    await page.addInitScript(() => {
      window.__drawn = {};
      const fill = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        const id = this.canvas?.id || "";
        if (this.textAlign === "right") (window.__drawn[id] ||= new Set()).add(String(text));
        return fill.call(this, text, ...rest);
      };
      // The play status's texts with the time since the page began.
      window.__statusLog = [];
      document.addEventListener("DOMContentLoaded", () => {
        const s = document.querySelector("#play-status");
        if (s) new MutationObserver(() => window.__statusLog.push([performance.now(), s.textContent])).observe(s, { childList: true, characterData: true, subtree: true });
        new MutationObserver(() => {
          if (document.body.dataset.playing === "true" && !window.__playedAt) window.__playedAt = performance.now();
        }).observe(document.body, { attributes: true, attributeFilter: ["data-playing"] });
      });
    });
  });
  after(async () => {
    await browser?.close();
  });

  const step = () => page.locator("#step-counter").getAttribute("data-step").then(Number);
  const playing = () => page.locator("#play").getAttribute("aria-pressed").then((v) => v === "true");

  it("does not say 'fewer steps per frame than asked' in the first second of playing", async () => {
    // The page's first load in a fresh browser (the frames are slow while it still loads).
    await page.goto(BASE_URL, { waitUntil: "load" });
    await page.waitForFunction(() => window.__playedAt > 0, null, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    const early = await page.evaluate(() => {
      const t0 = window.__playedAt ?? 0;
      return window.__statusLog.filter(([t, text]) => t < t0 + 1000 && /fewer steps per frame/.test(text)).map(([t, text]) => [Math.round(t - t0), text]);
    });
    assert.deepEqual(early, [], `the status log: ${JSON.stringify(await page.evaluate(() => window.__statusLog.map(([t, x]) => [Math.round(t - window.__playedAt), x])))}`);
  });

  it("Space plays and pauses right after clicking Reset (the focused button is not pressed again)", async () => {
    await openPage(page, "", { stepping: true });
    await page.locator("#reset").click();
    // Reset stops at step 0 (the Play button may follow a frame later than the counter).
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "0"
      && document.querySelector("#play").getAttribute("aria-pressed") === "false", null, { timeout: 5_000 });
    await page.keyboard.press("Space");
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 0, null, { timeout: 10_000 });
    assert.equal(await playing(), true);
    await page.keyboard.press("Space");
    await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false");
    // In a text field Space is a character.
    await page.locator("#steps").focus();
    await page.keyboard.press("Space");
    await page.waitForTimeout(200);
    assert.equal(await playing(), false);
  });

  it("after a Reset a preset plays; after the reader's Pause it waits, and the status says so visibly", async () => {
    await openPage(page, "", { stepping: true });
    await page.locator("#reset").click();
    await page.locator('[data-preset="nuclear"]').click();
    await page.waitForFunction(() => Number(document.querySelector("#step-counter").dataset.step) > 0, null, { timeout: 15_000 });
    assert.equal(await playing(), true, "a preset after Reset plays");
    await pause(page);
    await page.locator('[data-preset="noise"]').click();
    await page.waitForTimeout(500);
    assert.equal(await step(), 0);
    const s = page.locator("#play-status");
    assert.match(await s.textContent(), /paused at step 0: press Play/);
    assert.equal(await s.evaluate((e) => e.classList.contains("waiting")), true, "the waiting status stands out");
    assert.equal(await s.isVisible(), true);
    const box = await s.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 900, `the status is in view: ${JSON.stringify(box)}`);
  });

  it("a race that ended offers 'Restart with these rates'; play past the run length stops at twice it", async () => {
    await openPage(page, "#steps=40&m=adam,gd&lr=0.01,0.01", { stepping: true });
    await page.waitForFunction(() => /stopped at step 40/.test(document.querySelector("#play-status").textContent), null, { timeout: 20_000 });
    // Offered only once a rate changed after the race ended.
    const restart = page.locator("#restart-rates");
    assert.equal(await restart.isVisible(), false, "no rate changed yet");
    await page.locator("#lr-1").fill("100");
    await page.locator("#lr-1").press("Enter");
    await page.waitForFunction(() => !document.querySelector("#restart-rates").hidden, null, { timeout: 5_000 });
    await restart.click();
    await page.waitForFunction(() => /stopped at step 40/.test(document.querySelector("#play-status").textContent) && document.querySelector("#step-counter").dataset.step === "40", null, { timeout: 20_000 });
    assert.equal(await page.locator("#lr-1").inputValue(), "100");
    // GD at 100 moved from the start (at 0.01 it stays near 1).
    const gd = Number(await page.locator("article[data-run]").nth(1).getAttribute("data-test-error"));
    assert.ok(gd < 0.99, `GD's test error after the restart at rate 100: ${gd}`);
    // Play past the run length: it stops at a stated limit.
    await page.locator("#play").click();
    await page.waitForFunction(() => /stopped at step 80.*twice the run length/.test(document.querySelector("#play-status").textContent), null, { timeout: 20_000 });
    assert.equal(await step(), 80);
    assert.equal(await restart.isVisible(), false, "the rates have not changed since this end");
    await page.locator("#play").click();
    await page.waitForTimeout(500);
    assert.equal(await step(), 80);
  });

  it("at step 0 the angle to start shows 0 (rounding below 1e-12), with the threshold in its tooltip", async () => {
    await openPage(page, "#m=adam,gd&lr=0.01,0.01");
    await pause(page);
    await page.locator("#reset").click();
    await page.waitForFunction(() => document.querySelector("#step-counter").dataset.step === "0");
    const dd = page.locator("article[data-run]").nth(1).locator("dd[data-field=angleStart]");
    assert.equal(await dd.textContent(), "0");
    assert.match(await dd.evaluate((e) => e.parentElement.title), /10⁻¹²/);
  });

  it("the train-error plot (log axis) draws no '0' tick", async () => {
    await openPage(page, "#m=adam,gd&lr=0.01,0.01&view=train_error", { stepping: true });
    await page.waitForTimeout(500);
    const drawn = await page.evaluate(() => [...(window.__drawn["test-error-plot"] || [])]);
    assert.ok(drawn.length > 0, "the plot drew its y labels");
    assert.equal(drawn.includes("0"), false, `labels: ${drawn.join(" | ")}`);
  });

  it("'more figures' follows the learning rate", async () => {
    await openPage(page, "#m=adam,gd&lr=0.01,0.01");
    await page.locator("#lr-0").fill("0.013");
    await page.locator("#lr-0").press("Enter");
    const hyper = page.locator("article[data-run]").first().locator(".hyper");
    await page.waitForFunction(() => /0\.013/.test(document.querySelector("article[data-run] .hyper").textContent));
    assert.doesNotMatch(await hyper.textContent(), /learning rate 0\.01\b(?!3)/);
    assert.deepEqual(pageErrors, []);
  });
});

describe("issue 20: the embed's frame (controls=0)", { timeout: 90_000 }, () => {
  it("has no copy or ×, a replay button and the step counter, and panels across the frame's width", async () => {
    const embed = await launchFresh("mcp-e2e-i20-frame-", { viewport: { width: 720, height: 800 } });
    try {
      const pg = embed.page;
      await pg.goto(`${BASE_URL}?embed=1&controls=0&panels=adam,gd#steps=150`, { waitUntil: "load" });
      await pg.waitForFunction(() => document.querySelectorAll("article[data-run]").length === 2, null, { timeout: 30_000 });
      // Nothing that starts over or removes a run.
      for (const testid of ["copy-run", "remove-run"]) {
        const shown = await pg.locator(`article[data-run] [data-testid=${testid}]`).evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
        assert.equal(shown, 0, `${testid} buttons shown`);
      }
      // The step counter, visible, follows the race to its end.
      const counter = pg.locator("#frame-step");
      assert.equal(await counter.isVisible(), true);
      await pg.waitForFunction(() => document.querySelector("#frame-step").textContent === "step 150", null, { timeout: 30_000 });
      // Replay: the race again from step 0, playing.
      const replay = pg.locator("#replay");
      assert.equal(await replay.isVisible(), true);
      await pg.evaluate(() => {
        window.__frameSteps = [];
        new MutationObserver(() => window.__frameSteps.push(Number(document.querySelector("#frame-step").dataset.step)))
          .observe(document.querySelector("#frame-step"), { childList: true, characterData: true, subtree: true });
      });
      await replay.click();
      await pg.waitForFunction(() => document.querySelector("#frame-step").textContent === "step 150" && window.__frameSteps.length > 1, null, { timeout: 30_000 });
      const seen = await pg.evaluate(() => window.__frameSteps);
      assert.ok(seen.some((s) => s < 150), `the counter went back and up again: ${seen.join(",")}`);
      // W* and the two runs use the frame's width (not 3 of 4 tracks: 530 of 720 px).
      const { grid, right } = await pg.evaluate(() => {
        const g = document.querySelector("#matrices").getBoundingClientRect();
        const panels = [...document.querySelectorAll("#matrices > .panel")].map((p) => p.getBoundingClientRect().right);
        return { grid: g.right, right: Math.max(...panels) };
      });
      assert.ok(right >= grid - 2, `the panels end at ${right}, the grid at ${grid}`);
    } finally {
      await embed.close();
    }
  });
});

describe("issue 20: stale text (captions from the lines drawn, the PCA's status, the update rule)", { timeout: 180_000 }, () => {
  let page;
  withBrowser("mcp-e2e-i20-text-", (b) => ({ page } = b));
  const ended = (n) => page.waitForFunction((n) => document.querySelector("#step-counter").dataset.step === String(n)
    && document.querySelector("#play").getAttribute("aria-pressed") === "false", n, { timeout: 60_000 });

  it("the plots' captions name the lines that end together, with the numbers drawn, and nothing when none do", async () => {
    await openPage(page, "#m=adam,gd&lr=0.01,100&steps=200");
    await ended(200);
    await page.waitForTimeout(300);
    const timeCaption = () => page.locator("#time-caption").textContent();
    assert.doesNotMatch(await timeCaption(), /near 1|on top of each other|overlap/);
    assert.equal(await page.locator("#trajectory-overlap").textContent(), "");
    assert.doesNotMatch(await page.locator("#trajectory-plot + figcaption").textContent(), /GD, Momentum and Nesterov/);

    await openPage(page, "#m=gd,momentum,nesterov,adam&lr=0.01,0.01,0.01,0.01&steps=200");
    await ended(200);
    await page.waitForTimeout(300);
    const gd = await page.locator("article[data-run=gd] dd[data-field=test]").textContent();
    const caption = await timeCaption();
    assert.match(caption, /GD, Momentum and Nesterov end on top of each other \(test error [0-9.]+( to [0-9.]+)?\)/);
    assert.ok(caption.includes(gd), `GD's test error ${gd} in: ${caption}`);
    assert.doesNotMatch(caption, /Adam/);
    assert.match(await page.locator("#trajectory-overlap").textContent(), /(Momentum and Nesterov|Nesterov and Momentum) end on top of each other \(effective rank [0-9.]+, train error/);
  });

  it("the PCA plot off screen says which step it shows and that it waits to be on screen, not 'updating'", async () => {
    await openPage(page, "#steps=3000");
    await pause(page);
    // On screen while paused, it is brought up to the runs' step; then off screen while they play on.
    const plot = page.locator("#pca-plot");
    await plot.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("#pca-plot").dataset.stale === "false" && Number(document.querySelector("#pca-plot").dataset.step) > 0, null, { timeout: 30_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator("#play").click();
    await ended(3000);
    await page.waitForTimeout(500);
    const shown = Number(await plot.getAttribute("data-step"));
    assert.ok(shown > 0 && shown < 2900, `the PCA shown is of step ${shown}`);
    const name = await page.locator("figure:has(#pca-plot) figcaption").textContent();
    assert.doesNotMatch(name, /updating/);
    assert.match(name, new RegExp(`Shown: step ${shown}; the runs are at step 3000\\. It is brought up to date when the plot is on screen\\.`));
    // On screen it catches up.
    await plot.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("#pca-plot").dataset.stale === "false" && Number(document.querySelector("#pca-plot").dataset.step) > 2900, null, { timeout: 30_000 });
    assert.doesNotMatch(await page.locator("#pca-status").textContent(), /brought up to date/);
  });

  it("every update rule fits its panel at 1400 px, or says that it scrolls", async () => {
    await openPage(page, "");
    for (const d of await page.locator("article[data-run] details.rule summary").all()) await d.click();
    await page.waitForTimeout(300);
    const rules = await page.locator("article[data-run] details.rule math").evaluateAll((ms) => ms.map((m) => ({
      name: m.dataset.method, fits: m.scrollWidth <= m.clientWidth + 1, hint: !!m.nextElementSibling && !m.nextElementSibling.hidden && m.nextElementSibling.offsetParent !== null,
    })));
    assert.ok(rules.length >= 6);
    for (const r of rules) assert.ok(r.fits || r.hint, `${r.name}'s rule is cut off with no sign that it scrolls`);
    assert.ok(rules.find((r) => r.name === "adam").fits, "Adam's rule fits in smaller type");
  });
});

describe("issue 20: presets that do the reader's part", { timeout: 180_000 }, () => {
  let page;
  withBrowser("mcp-e2e-i20-presets-", (b) => ({ page } = b));

  it("'Newton and gradient flow' plots against time t itself", async () => {
    await openPage(page, "");
    await page.locator('[data-preset="newton"]').click();
    await page.waitForFunction(() => /(^|[#&])x=time\b/.test(location.hash), null, { timeout: 15_000 });
    assert.equal(await page.locator("#time-x").inputValue(), "time");
    assert.match(await page.locator("#time-title").textContent(), /against time t/);
    assert.doesNotMatch(await page.locator("#preset-caption").textContent(), /Plot against/);
  });

  it("'Depth lets GD recover' races GD at depth 3 against the same GD at depth 1, on the same problem", async () => {
    await openPage(page, "");
    await page.locator('[data-preset="depth"]').click();
    await page.waitForFunction(() => /depth=3/.test(location.hash) && document.querySelector("#step-counter").dataset.step === "1000"
      && document.querySelector("#play").getAttribute("aria-pressed") === "false"
      && /^At step 1000,/.test(document.querySelector("#preset-result").textContent), null, { timeout: 60_000 });
    // The reference has followed the race to its end (it catches up a moment after the race).
    await page.waitForFunction(() => /GD at depth 1 [0-9.]+/.test(document.querySelector("#preset-result").textContent), null, { timeout: 10_000 });
    const text = await page.locator("#preset-result").textContent();
    const deep = Number(await page.locator("article[data-run=gd]").getAttribute("data-test-error"));
    const shallow = Number(/GD at depth 1 ([0-9]+(?:\.[0-9]+)?)/.exec(text)[1]);
    assert.ok(text.includes(`GD ${deep.toPrecision(3)}`), text);
    assert.ok(deep < 0.05 && shallow > 0.5, `depth 3: ${deep}, depth 1: ${shallow}`);
    assert.ok(text.endsWith("Closest to W*: GD."), text);
    // Its line is in the plots, named at its end.
    const labels = await page.evaluate(() => {
      window.__labels = [];
      const fill = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (t, ...rest) {
        if (this.canvas?.id === "test-error-plot") window.__labels.push(String(t));
        return fill.call(this, t, ...rest);
      };
      document.querySelector("#time-log").click();
      return new Promise((resolve) => setTimeout(() => resolve(window.__labels), 300));
    });
    assert.ok(labels.includes("GD at depth 1"), labels.join(" | "));
    assert.deepEqual(await page.locator("#legend li").allTextContents(), ["GD", "GD at depth 1"]);
    // Another experiment (a rate changed): no reference.
    await page.locator("#lr-0").fill("2");
    await page.locator("#lr-0").press("Enter");
    await page.waitForFunction(() => !/depth 1/.test(document.querySelector("#preset-result").textContent), null, { timeout: 10_000 });
    assert.deepEqual(await page.locator("#legend li").allTextContents(), ["GD"]);
  });

  it("'Noisy observations' says, from the runs on screen, who fits the noise and who ends further from W* than it started", async () => {
    await openPage(page, "");
    await page.locator('[data-preset="noise"]').click();
    await page.waitForFunction(() => /noise=0\.3/.test(location.hash) && document.querySelector("#step-counter").dataset.step === "3000"
      && document.querySelector("#play").getAttribute("aria-pressed") === "false", null, { timeout: 60_000 });
    await page.waitForTimeout(300);
    const runs = await page.locator("article[data-run]").evaluateAll((els) => els.map((e) => ({
      label: e.querySelector("h2").textContent, test: Number(e.dataset.testError), train: Number(e.dataset.trainError),
    })));
    const truthTrain = Number(await page.locator("#truth-panel").getAttribute("data-truth-train"));
    assert.ok(truthTrain > 0, "W*'s own train error with noise");
    const text = await page.locator("#preset-result").textContent();
    const list = (xs) => (xs.length > 1 ? `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}` : xs[0]);
    const fit = runs.filter((r) => r.train < truthTrain).map((r) => r.label);
    const worse = runs.filter((r) => r.test > 1).map((r) => r.label);
    assert.ok(worse.length > 0, `some run ends worse than its start: ${JSON.stringify(runs)}`);
    assert.ok(text.startsWith("At step 3000, test error"), text);
    for (const r of runs) assert.ok(text.includes(`${r.label} ${Number(r.test.toPrecision(3)).toPrecision(3)}`), `${r.label}'s test error in: ${text}`);
    if (fit.length) assert.ok(text.includes(`${list(fit)} ${fit.length > 1 ? "fit" : "fits"} the seen values closer than W* itself does`), text);
    else assert.doesNotMatch(text, /closer than W\*/);
    assert.ok(text.includes(`${list(worse)} ${worse.length > 1 ? "are" : "is"} now further from W* than at the start`), text);
    const best = [...runs].sort((a, b) => a.test - b.test)[0];
    assert.ok(text.includes(`Closest to W*: ${best.label}.`), text);
    // Another experiment: no preset, no such line.
    await page.locator("#lr-2").fill("50");
    await page.locator("#lr-2").press("Enter");
    await page.waitForFunction(() => document.querySelector("#preset-result").textContent === "", null, { timeout: 10_000 });
  });
});

describe("issue 20: readable from the back of a room", { timeout: 120_000 }, () => {
  let page;
  withBrowser("mcp-e2e-i20-read-", (b) => ({ page } = b));
  before(async () => {
    // The text drawn on the time plot: its font and colour.
    await page.addInitScript(() => {
      window.__texts = [];
      const fill = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        if (this.canvas?.id === "test-error-plot") window.__texts.push({ text: String(text), font: this.font, fill: String(this.fillStyle) });
        return fill.call(this, text, ...rest);
      };
    });
  });
  const drawnSince = async (fn) => {
    await page.evaluate(() => { window.__texts = []; });
    await fn();
    await page.waitForFunction(() => window.__texts.length > 0, null, { timeout: 10_000 });
    return page.evaluate(() => window.__texts);
  };
  const px = (font) => Number(/([0-9.]+)px/.exec(font)[1]);
  /** WCAG contrast of a #rrggbb colour on white. */
  const contrast = (hex) => {
    const lum = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    const l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05);
  };

  it("canvas text follows the page's font size; the lines' names reach 4.5:1 on white", async () => {
    await openPage(page, "#steps=200", { stepping: true });
    await pause(page);
    const labels = await page.locator("article[data-run] h2").allTextContents();
    const before = await drawnSince(() => page.locator("#time-log").click());
    const names = before.filter((t) => labels.some((l) => t.text.replace(/, $/, "") === l));
    assert.ok(names.length >= labels.length, `the lines' names drawn: ${JSON.stringify(names)}`);
    for (const n of names) assert.ok(contrast(n.fill) >= 4.5, `${n.text} in ${n.fill}: ${contrast(n.fill).toFixed(2)}:1`);
    const size = px(before[0].font);
    assert.ok(size >= 12, `canvas text ${size} px at the default font size`);
    // The reader's larger font (24 px instead of 16): the canvases' text grows with it.
    const after = await drawnSince(() => page.evaluate(() => { document.documentElement.style.fontSize = "24px"; }));
    assert.ok(Math.abs(px(after[0].font) - 1.5 * size) < 0.2, `${size} px, then ${after[0].font}`);
    await page.evaluate(() => { document.documentElement.style.fontSize = ""; });
  });

  it("the dots on the seen entries are at least 3 px across at the default size", async () => {
    await openPage(page, "");
    const radii = await page.locator(".heatmap-overlay:not(.heatmap-hatch)").evaluateAll((els) => els
      .filter((c) => c.offsetParent !== null && c.dataset.dotRadius)
      .map((c) => Number(c.dataset.dotRadius) * c.clientWidth / c.width));
    assert.ok(radii.length >= 7, `heatmaps with dots: ${radii.length}`);
    for (const r of radii) assert.ok(r >= 1.5, `a dot ${(2 * r).toFixed(2)} CSS px across`);
  });
});

describe("issue 20: words for the jargon", { timeout: 120_000 }, () => {
  let page;
  withBrowser("mcp-e2e-i20-words-", (b) => ({ page } = b));

  it("every figure, label and control says in plain words what it is (hover or focus)", async () => {
    await openPage(page, "#m=adam,gd,gradient_flow&lr=0.01,0.01,", { stepping: true });
    const missing = await page.evaluate(() => {
      const out = [];
      const shown = (e) => e.offsetParent !== null || e.closest("details:not([open])");
      for (const row of document.querySelectorAll("#matrices dl.figures > div")) {
        if (!row.hidden && shown(row) && !row.title) out.push(`figure ${row.querySelector("dt")?.textContent}`);
      }
      for (const l of document.querySelectorAll("#matrices .bars-label")) if (shown(l) && !l.title && !l.closest("[hidden]")) out.push(`label ${l.textContent}`);
      for (const f of document.querySelectorAll(".controls .field, .plot-controls .field")) {
        const help = f.title || f.querySelector("label")?.title || f.querySelector("input, select")?.title;
        if (!help) out.push(`control ${f.querySelector("label")?.textContent}`);
      }
      for (const h of document.querySelectorAll(".plots .plot h2")) if (!h.title && !h.id) out.push(`plot ${h.textContent}`);
      return out;
    });
    assert.deepEqual(missing, []);
    // The words themselves: GD's time is "time t" (explained), eps says it starts over and why it is there.
    const gdTime = page.locator("article[data-run=gd] dd[data-field=time]").locator("xpath=..");
    assert.equal(await gdTime.locator("dt").textContent(), "time t");
    assert.match(await gdTime.getAttribute("title"), /learning rates added up/);
    const eps = page.locator("article[data-run=adam] label[for^=eps-]");
    assert.match(await eps.getAttribute("title"), /never divides by zero.*starts every run over/);
    // By keyboard: the focused figure shows its words.
    await page.locator("article[data-run=adam] dl.figures > div[title]").first().focus();
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => !document.querySelector("#tooltip").hidden, null, { timeout: 5_000 });
    assert.match(await page.locator("#tooltip").textContent(), /entries nobody sees/);
  });

  it("the presets say 'the start's span' in plain words", async () => {
    await openPage(page, "");
    await page.locator('[data-preset="span"]').click();
    const caption = await page.locator("#preset-caption").textContent();
    assert.doesNotMatch(caption, /span/);
    assert.match(caption, /keeps the directions of the start's/);
  });
});
