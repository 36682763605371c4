// The browser half of scripts/bench.sh: drives Debian's Chromium (headless, fresh profile,
// never a downloaded browser) with playwright-core over a served copy of the repository.
//
//   node scripts/bench_browser.mjs --base http://127.0.0.1:8123/ --out target/bench/wasm.json
//        [--full] [--filter TEXT] [--sample-ms 5] [--samples 31] [--frames-secs 8] [--first-frame-loads 5]
//        [--no-steps] [--no-frames] [--no-first-frame]
//
// 1. Steps per second: opens bench.html (the bench build in www/bench/pkg/) and runs the
//    cases of src/bench.rs there (window.mcpBench.run), like `cargo bench --bench steps`.
// 2. Frame time: opens index.html (the page's own module in www/pkg/) on its default
//    experiment, with a requestAnimationFrame probe injected before the page's scripts
//    (addInitScript; the page is not modified): performance.now() at every frame; after a
//    warm-up, the frame-to-frame intervals over --frames-secs seconds give the median and the
//    95th percentile. Also records how far the page's step counter advanced meanwhile.
// 3. First frame: --first-frame-loads (default 5) fresh loads of index.html, each in a new
//    browser context (empty HTTP cache, no compiled-wasm cache), from navigation start to the
//    page's `performance.mark("mcp-first-frame")` (set the first time the heatmaps are drawn);
//    the median over the loads. Where the page sets no such mark, the time at which an
//    optimizer's heatmap first has non-blank pixels (polled once per animation frame by a probe
//    injected before the page's scripts, so up to one frame late) stands in, and the result
//    says so (`source`).

import { execFileSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CHROMIUM_PATH, launchBrowser, launchFresh } from "./chromium.mjs";


function parseArgs(argv) {
  const opts = { base: "http://127.0.0.1:8000/", out: null, full: false, filter: null, sampleMs: null, samples: null,
    framesSecs: 8, firstFrameLoads: 5, steps: true, frames: true, firstFrame: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--base") opts.base = next();
    else if (a === "--out") opts.out = next();
    else if (a === "--full") opts.full = true;
    else if (a === "--filter") opts.filter = next();
    else if (a === "--sample-ms") opts.sampleMs = Number(next());
    else if (a === "--samples") opts.samples = Number(next());
    else if (a === "--frames-secs") opts.framesSecs = Number(next());
    else if (a === "--no-steps") opts.steps = false;
    else if (a === "--no-frames") opts.frames = false;
    else if (a === "--first-frame-loads") opts.firstFrameLoads = Number(next());
    else if (a === "--no-first-frame") opts.firstFrame = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

async function measureSteps(context, opts) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.exposeFunction("mcpBenchProgress", (done, total, r) => {
    const what = r.method ? `${r.method}/${r.penalty}/${r.size}: ${Math.round(r.steps_per_sec)} steps/s`
      : `n=${r.size}: product ${(r.matmul_secs * 1e6).toFixed(2)} µs`;
    process.stderr.write(`  [${done}/${total}] ${what}\n`);
  });
  await page.goto(new URL("bench.html", opts.base).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 }).catch(() => {
    throw new Error(`bench.html did not load: ${errors.join("; ") || "timeout"}`);
  });
  const sampling = opts.sampleMs || opts.samples
    ? { sample_secs: (opts.sampleMs ?? 5) / 1000, samples: opts.samples ?? 31, warmup_secs: 0.05 } : undefined;
  // --filter TEXT: only the cases whose method/penalty/size contains TEXT (as the native harness).
  const result = await page.evaluate(({ full, filter, sampling }) => {
    const cases = window.mcpBench.plan(full).filter((c) => !filter || `${c.method}/${c.penalty}/${c.size}`.includes(filter));
    return window.mcpBench.run({ cases, sampling, onProgress: window.mcpBenchProgress });
  }, { full: opts.full, filter: opts.filter, sampling });
  if (errors.length) throw new Error(`errors on bench.html: ${errors.join("; ")}`);
  await page.close();
  return result;
}

async function measureFrames(context, opts) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The probe, registered before any of the page's scripts run: its own rAF loop records
  // performance.now() at every frame; and every rAF callback (the page's included) is timed,
  // which is the JavaScript and wasm work of each frame (drawing and compositing excluded).
  await page.addInitScript(() => {
    const times = [];
    const work = [];
    window.__mcpFrames = times;
    window.__mcpWork = work;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => raf((t) => {
      const t0 = performance.now();
      try {
        cb(t);
      } finally {
        work.push(performance.now() - t0);
      }
    });
    const tick = () => {
      times.push(performance.now());
      raf(tick);
    };
    raf(tick);
  });
  // The default experiment, once as it is: how long its 3000 steps take to play through from
  // the first frame. Then with its run length raised, so that it plays throughout the window
  // in which the frames are timed (at 20 steps per frame it would stop within seconds).
  await page.goto(new URL("index.html", opts.base).href);
  const playThrough = await page.evaluate(async () => {
    const step = () => Number(document.getElementById("step-counter")?.dataset.step ?? 0);
    while (step() < 3000) await new Promise((r) => setTimeout(r, 20));
    const mark = performance.getEntriesByName("mcp-first-frame", "mark")[0];
    return mark ? (performance.now() - mark.startTime) / 1000 : null;
  });
  await page.goto(new URL("index.html#steps=10000000", opts.base).href);
  await page.reload(); // a hash change alone may not rebuild the page's state from scratch
  await page.waitForFunction(() => document.body.dataset.playing === "true", null, { timeout: 60_000 });
  const stepAt = () => page.evaluate(() => Number(document.getElementById("step-counter")?.dataset.step ?? NaN));
  await page.waitForTimeout(2000); // warm-up: tier-up of the wasm, first layouts
  const start = await page.evaluate(() => ({ n: window.__mcpFrames.length, w: window.__mcpWork.length }));
  const step0 = await stepAt();
  await page.waitForTimeout(opts.framesSecs * 1000);
  const frames = await page.evaluate((from) => window.__mcpFrames.slice(from), start.n);
  const work = (await page.evaluate((from) => window.__mcpWork.slice(from), start.w)).sort((a, b) => a - b);
  const step1 = await stepAt();
  const playing = await page.evaluate(() => document.body.dataset.playing === "true");
  await page.close();
  if (errors.length) throw new Error(`errors on index.html: ${errors.join("; ")}`);
  const deltas = [];
  for (let i = 1; i < frames.length; i++) deltas.push(frames[i] - frames[i - 1]);
  deltas.sort((a, b) => a - b);
  const secs = (frames[frames.length - 1] - frames[0]) / 1000;
  return {
    config: "index.html, default experiment (30×30, 6 optimizers, 20 steps per frame), run length raised so it plays throughout",
    play_through_s: playThrough,
    seconds: secs,
    frames: deltas.length,
    median_ms: quantile(deltas, 0.5),
    p95_ms: quantile(deltas, 0.95),
    max_ms: deltas[deltas.length - 1],
    callback_median_ms: quantile(work, 0.5),
    callback_p95_ms: quantile(work, 0.95),
    steps_advanced: step1 - step0,
    still_playing: playing,
  };
}

// The first optimizer heatmap with non-blank pixels (the stand-in when the page sets no
// "mcp-first-frame" mark): polled once per animation frame from before the page's scripts run.
function firstPixelsProbe() {
  window.__mcpFirstPixels = null;
  const raf = window.requestAnimationFrame.bind(window);
  const nonBlank = (c) => {
    if (!c.width || !c.height) return false;
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    for (let k = 4; k < data.length; k += 4) {
      for (let b = 0; b < 4; b++) if (data[k + b] !== data[b]) return true;
    }
    return false;
  };
  const look = () => {
    for (const c of document.querySelectorAll('article[data-run] canvas[data-testid="heatmap"]')) {
      try {
        if (nonBlank(c)) {
          window.__mcpFirstPixels = performance.now();
          return;
        }
      } catch {
        // A canvas handed to a worker (OffscreenCanvas) cannot be read here.
      }
    }
    raf(look);
  };
  raf(look);
}

async function measureFirstFrame(browser, opts) {
  const url = new URL("index.html", opts.base).href;
  const loads = [];
  for (let k = 0; k < opts.firstFrameLoads; k++) {
    // A new context per load: nothing cached from the previous one (HTTP cache, wasm code cache).
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.addInitScript(firstPixelsProbe);
      await page.goto(url);
      await page.waitForFunction(() => window.__mcpFirstPixels !== null, null, { timeout: 60_000 }).catch(() => {
        throw new Error(`index.html drew no heatmap within 60 s: ${errors.join("; ") || "timeout"}`);
      });
      // Times are from navigation start (performance.timeOrigin).
      const got = await page.evaluate(() => {
        const mark = performance.getEntriesByName("mcp-first-frame", "mark")[0];
        return { mark_ms: mark ? mark.startTime : null, pixels_ms: window.__mcpFirstPixels };
      });
      if (errors.length) throw new Error(`errors on index.html: ${errors.join("; ")}`);
      loads.push(got);
      process.stderr.write(`  load ${k + 1}: mark ${got.mark_ms === null ? "missing" : `${got.mark_ms.toFixed(0)} ms`}, ` +
        `first non-blank heatmap ${got.pixels_ms.toFixed(0)} ms\n`);
    } finally {
      await context.close();
    }
  }
  const withMark = loads.every((l) => l.mark_ms !== null);
  const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);
  return {
    config: "index.html, default experiment, fresh browser context per load",
    loads: loads.length,
    source: withMark ? "mark mcp-first-frame" : "first non-blank heatmap (no mcp-first-frame mark on the page)",
    median_ms: median(loads.map((l) => (withMark ? l.mark_ms : l.pixels_ms))),
    mark_median_ms: withMark ? median(loads.map((l) => l.mark_ms)) : null,
    pixels_median_ms: median(loads.map((l) => l.pixels_ms)),
    each: loads,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const fresh = await launchFresh("mcp-bench-profile-", { viewport: { width: 1280, height: 900 } });
  const { context } = fresh;
  const out = { chromium: null };
  try {
    out.chromium = execFileSync(CHROMIUM_PATH, ["--version"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    if (opts.steps) {
      process.stderr.write("browser: steps per second (bench.html)\n");
      out.steps = await measureSteps(context, opts);
    }
    if (opts.frames) {
      process.stderr.write(`browser: frame time on index.html (${opts.framesSecs} s)\n`);
      out.frames = await measureFrames(context, opts);
      const f = out.frames;
      process.stderr.write(`  median ${f.median_ms.toFixed(2)} ms, p95 ${f.p95_ms.toFixed(2)} ms over ${f.frames} frames; ${f.steps_advanced} steps\n`);
    }
    if (opts.firstFrame) {
      process.stderr.write(`browser: first frame of index.html (${opts.firstFrameLoads} fresh loads)\n`);
      const browser = await launchBrowser();
      try {
        out.first_frame = await measureFirstFrame(browser, opts);
      } finally {
        await browser.close();
      }
      const f = out.first_frame;
      process.stderr.write(`  median ${f.median_ms.toFixed(0)} ms from navigation start (${f.source})\n`);
    }
  } finally {
    await fresh.close();
  }
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(out, null, 1));
    process.stderr.write(`wrote ${opts.out}\n`);
  } else {
    console.log(JSON.stringify(out, null, 1));
  }
}

main().catch((e) => {
  console.error(`bench_browser: ${e.stack || e}`);
  process.exit(1);
});
