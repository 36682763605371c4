// The page builds its per-method UI from the core's catalog (Lab.methods()) and declares the
// metric names once (www/schema.js, METRIC_NAMES): the two languages must agree, and no other JS
// file keeps a table of methods (presets may name methods).
//
//   node --test tests/e2e/catalog.test.mjs   (after scripts/build.sh: it loads www/pkg/)

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import init, { Lab } from "../../www/pkg/mc_playground.js";
import { METRIC_NAMES, METRICS, HISTORY_METRICS, VIEW_KEYS, normaliseMetrics } from "../../www/schema.js";
import { makeCatalog } from "../../www/catalog.js";
import { runDash } from "../../www/colormap.js";

const ROOT = new URL("../../", import.meta.url).pathname;
await init({ module_or_path: readFileSync(join(ROOT, "www/pkg/mc_playground_bg.wasm")) });
const METHODS = JSON.parse(Lab.methods());
const CATALOG = makeCatalog(METHODS);

function modules(dir = join(ROOT, "www")) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "pkg") out.push(...modules(path));
    } else if (name.endsWith(".js")) out.push(relative(join(ROOT, "www"), path));
  }
  return out;
}

describe("one declaration of the metric names per language", () => {
  it("has the core's metric names, in its order", () => {
    assert.deepEqual(METRIC_NAMES, JSON.parse(Lab.metric_names()));
  });

  it("derives every list of metrics on the page from them", () => {
    assert.deepEqual(HISTORY_METRICS, METRIC_NAMES);
    for (const name of Object.keys(METRICS)) assert.ok(METRIC_NAMES.includes(name), name);
    assert.deepEqual(VIEW_KEYS.view.values, Object.keys(METRICS));
    assert.deepEqual(Object.keys(normaliseMetrics({})).filter((k) => !k.startsWith("diverged") && k !== "blowing_up_at"), METRIC_NAMES);
    // The time plot's choices in index.html: the same metrics, in the same order.
    const html = readFileSync(join(ROOT, "index.html"), "utf8");
    const select = /<select id="time-metric">([\s\S]*?)<\/select>/.exec(html)[1];
    assert.deepEqual([...select.matchAll(/value="([a-z_]+)"/g)].map((m) => m[1]), Object.keys(METRICS));
    // No other module spells a metric list out.
    for (const file of modules().filter((f) => f !== "schema.js")) {
      const text = readFileSync(join(ROOT, "www", file), "utf8");
      const named = METRIC_NAMES.filter((n) => n !== "step" && n !== "time" && new RegExp(`["'\`]${n}["'\`]`).test(text));
      assert.ok(named.length < 4, `${file} lists metrics: ${named.join(", ")}`);
    }
  });
});

describe("the catalog drives the page's per-method UI", () => {
  it("gives every method what the page shows: label, description, rule, colour, hyper-parameter names, config", () => {
    assert.ok(METHODS.length >= 14);
    for (const m of METHODS) {
      assert.equal(typeof m.label, "string", m.name);
      assert.ok(m.about && m.about.length > 10, `${m.name}: about`);
      assert.ok(Array.isArray(m.rule?.lines) && m.rule.lines.length && m.rule.source, `${m.name}: rule`);
      assert.ok(m.colour_slot === null || Number.isInteger(m.colour_slot), `${m.name}: colour_slot`);
      assert.equal(m.config?.name, m.name);
      for (const k of Object.keys(m.config).filter((k) => k !== "name" && k !== "learning_rate")) {
        assert.ok(CATALOG.hyperLabel(k), `${m.name}.${k} has no label in the catalog`);
      }
    }
    assert.equal(CATALOG.label("adam"), "Adam");
    assert.equal(CATALOG.hyperLabel("beta1"), "β₁");
    assert.equal(CATALOG.slot("adam"), 0);
    // GD, Momentum and Nesterov (the classical family) overlap at small rates: the others' own dashes.
    assert.deepEqual(runDash(3, CATALOG.overlap("gd")), []);
    assert.deepEqual(runDash(4, CATALOG.overlap("momentum")), [9, 5]);
    assert.deepEqual(runDash(5, CATALOG.overlap("nesterov")), [2, 4]);
    assert.deepEqual(runDash(0, CATALOG.overlap("adam")), []);
  });

  it("keeps no per-method table in JS (presets may name methods)", () => {
    const names = METHODS.map((m) => m.name).filter((n) => n.length > 2);
    for (const file of modules().filter((f) => f !== "presets.js")) {
      const text = readFileSync(join(ROOT, "www", file), "utf8");
      assert.ok(!/\b(METHOD_INFO|HYPER_NAMES|RULES|PREFERRED_SLOT)\b/.test(text), `${file} keeps an old table`);
      const named = names.filter((n) => new RegExp(`(^|[^\\w-])${n}\\s*:|["'\`]${n}["'\`]`).test(text));
      assert.ok(named.length < 3, `${file} names methods: ${named.join(", ")}`);
    }
  });
});
