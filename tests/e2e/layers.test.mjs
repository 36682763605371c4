// The page's modules form layers (ARCHITECTURE.md): pure modules (no DOM, wasm or
// globals), views, the engine (wasm, workers), the store, controllers, and main.js, which only
// boots. This test reads every www/ module's `import` lines and checks that each imports only
// from the layers below it (or its own), that every module is in the table, the sizes, and what
// only one module may do: touch the link's hash (url.js), name many methods (presets.js).
//
//   node --test tests/e2e/layers.test.mjs

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, normalize } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const WWW = join(ROOT, "www");

/** Every module of the page and its layer. A new module must be added here. */
const LAYERS = {
  "schema.js": "pure",
  "url.js": "pure",
  "limits.js": "pure",
  "catalog.js": "pure",
  "colormap.js": "pure",
  "presets.js": "pure",
  "captions.js": "pure",
  "views/axes.js": "pure",
  "views/canvas.js": "views",
  "views/heatmap.js": "views",
  "views/bars.js": "views",
  "views/lineplot.js": "views",
  "views/trajectory.js": "views",
  "views/pca.js": "views",
  "views/sensitivity.js": "views",
  "views/panel.js": "views",
  "views/rules.js": "views",
  "views/problem.js": "views",
  "views/legend.js": "views",
  "views/method-picker.js": "views",
  "views/controls.js": "views",
  "views/export.js": "views",
  "views/job-controls.js": "views",
  "engine/core.js": "engine",
  "engine/stepper.js": "engine",
  "engine/thread-stepper.js": "engine",
  "engine/worker-stepper.js": "engine",
  "engine/pool.js": "engine",
  "engine/lab-worker.js": "engine",
  "engine/sweep.js": "engine",
  "engine/sensitivity-worker.js": "engine",
  "engine/recovery-worker.js": "engine",
  "engine/player.js": "engine",
  "engine/reference.js": "engine",
  "store.js": "store",
  "controllers/ui.js": "controllers",
  "controllers/loop.js": "controllers",
  "controllers/time-plot.js": "controllers",
  "controllers/runs.js": "controllers",
  "controllers/experiment.js": "controllers",
  "controllers/race.js": "controllers",
  "controllers/pca.js": "controllers",
  "controllers/sweep.js": "controllers",
  "controllers/presets.js": "controllers",
  "controllers/reference.js": "controllers",
  "controllers/export.js": "controllers",
  "controllers/embed.js": "controllers",
  "controllers/data.js": "controllers",
  "controllers/tooltips.js": "controllers",
  "controllers/figures-table.js": "controllers",
  "controllers/descriptions.js": "controllers",
  "controllers/scrub.js": "controllers",
  "controllers/recovery.js": "controllers",
  "controllers/milestones.js": "controllers",
  "controllers/rest.js": "controllers",
  "controllers/plot-table.js": "controllers",
  "main.js": "boot",
  "bench/bench.js": "boot",
  "story/frame.js": "views",
  "story/predict.js": "views",
  "story/story.js": "boot",
};

/** What each layer may import (besides itself); "wasm" is the core's module, www/pkg/. */
const MAY_IMPORT = {
  pure: [],
  views: ["pure"],
  engine: ["pure", "wasm"],
  store: ["pure", "engine"],
  controllers: ["pure", "views", "engine", "store"],
  boot: ["pure", "views", "engine", "store", "controllers", "wasm"],
};

function modules(dir = WWW) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "pkg") out.push(...modules(path));
    } else if (name.endsWith(".js")) out.push(relative(WWW, path));
  }
  return out.sort();
}

const FILES = modules();
const source = (file) => readFileSync(join(WWW, file), "utf8");

/** The modules `file` imports (static and dynamic, relative paths), as paths under www/ ("pkg" for the core). */
function importsOf(file) {
  const text = source(file);
  const specs = [
    ...[...text.matchAll(/^\s*import\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)].map((m) => m[1]),
    ...[...text.matchAll(/\bimport\(\s*[`"']([^`"'$?]+)/g)].map((m) => m[1]),
    ...[...text.matchAll(/new URL\(\s*["']([^"']+\.js)["']\s*,\s*import\.meta\.url/g)].map((m) => m[1]),
  ];
  return specs.map((spec) => {
    const path = normalize(join(dirname(file), spec)).replace(/\\/g, "/");
    return path.startsWith("pkg/") || path.startsWith("bench/pkg/") ? "pkg" : path;
  });
}

describe("the page's layers", () => {
  it("has every www/ module in the layer table, and nothing else", () => {
    const missing = FILES.filter((f) => !(f in LAYERS));
    assert.deepEqual(missing, [], `not in the layer table of tests/e2e/layers.test.mjs: ${missing.join(", ")}`);
    const gone = Object.keys(LAYERS).filter((f) => !FILES.includes(f));
    assert.deepEqual(gone, [], `in the layer table but not in www/: ${gone.join(", ")}`);
  });

  it("imports only from the layers below (or the same one)", () => {
    const wrong = [];
    for (const file of FILES) {
      const layer = LAYERS[file];
      for (const dep of importsOf(file)) {
        const to = dep === "pkg" ? "wasm" : LAYERS[dep];
        if (to === undefined) wrong.push(`${file} imports ${dep}, which is not a module of www/`);
        else if (to !== layer && !MAY_IMPORT[layer].includes(to)) wrong.push(`${file} (${layer}) imports ${dep} (${to})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("has no import circle (a circle means a concept is in the wrong module)", () => {
    const graph = Object.fromEntries(FILES.map((f) => [f, importsOf(f).filter((d) => d !== "pkg")]));
    const state = {}; // 1: on the path, 2: done
    const circles = [];
    const visit = (f, path) => {
      state[f] = 1;
      for (const d of graph[f] ?? []) {
        if (state[d] === 1) circles.push([...path.slice(path.indexOf(d)), d].join(" → "));
        else if (!state[d]) visit(d, [...path, d]);
      }
      state[f] = 2;
    };
    for (const f of FILES) if (!state[f]) visit(f, [f]);
    assert.deepEqual(circles, []);
  });

  it("keeps views away from controllers and the store", () => {
    for (const file of FILES.filter((f) => LAYERS[f] === "views")) {
      for (const dep of importsOf(file)) assert.ok(!/^(controllers\/|store\.js)/.test(dep), `${file} imports ${dep}`);
    }
  });

  it("keeps pure modules free of the DOM, wasm and globals", () => {
    const globals = /\b(document|window|location|navigator|history|globalThis|self|Worker|requestAnimationFrame|localStorage|fetch)\b/;
    for (const file of FILES.filter((f) => LAYERS[f] === "pure")) {
      const code = source(file).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "").replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
      assert.ok(!globals.test(code), `${file} uses ${globals.exec(code)?.[0]}`);
      assert.ok(!/^let\s/m.test(code), `${file} keeps module state (a top-level let)`);
      assert.ok(!importsOf(file).includes("pkg"), `${file} imports the core`);
    }
  });

  it("keeps main.js to booting (at most 200 lines) and every module under 500 lines", () => {
    const lines = (f) => source(f).split("\n").length - 1;
    assert.ok(lines("main.js") <= 200, `main.js has ${lines("main.js")} lines`);
    const big = FILES.filter((f) => lines(f) > 500).map((f) => `${f} (${lines(f)})`);
    assert.deepEqual(big, []);
  });

  it("lets only the URL codec (url.js) read or write the location's hash", () => {
    for (const file of FILES.filter((f) => f !== "url.js")) {
      const code = source(file).replace(/\/\/.*$/gm, "");
      assert.ok(!/\blocation\s*\.\s*(hash|href)\b/.test(code), `${file} reads or writes location.hash`);
      assert.ok(!/\.hash\s*=[^=]/.test(code), `${file} writes a hash`);
    }
  });

  it("has one stepper interface: nothing asks whether workers step the runs", () => {
    for (const file of FILES) assert.ok(!/\bapp\.pool\b|\.pool\s*\?/.test(source(file)), `${file} branches on the pool`);
  });
});
