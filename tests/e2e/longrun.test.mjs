// A long run in the browser keeps memory bounded: the wasm memory stops growing once the
// histories reach their cap (they are thinned, not grown), over 300 000 steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchFresh } from "../../scripts/chromium.mjs";
import { BASE_URL } from "./helpers.mjs";

test("300 000 steps in the browser: bounded history, flat wasm memory", async () => {
  const browser = await launchFresh("mcp-long-");
  try {
    const { page } = browser;
    await page.goto(new URL("www/pkg/mc_playground.js", BASE_URL).href);
    const r = await page.evaluate(async () => {
      const mod = await import("/www/pkg/mc_playground.js");
      const wasm = await mod.default();
      const lab = new mod.Lab(JSON.stringify({ problem: { rows: 8, cols: 8, rank: 2, observed: 30 },
        optimizers: [{ name: "adam", learning_rate: 0.01 }, { name: "gd", learning_rate: 0.1 }] }));
      const sizes = [];
      for (let chunk = 0; chunk < 30; chunk++) {
        lab.step(10000);
        sizes.push(wasm.memory.buffer.byteLength);
      }
      const out = { sizes, len: lab.history_len(0), step: lab.metrics(0).step };
      lab.free();
      return out;
    });
    assert.equal(r.step, 300000);
    assert.ok(r.len <= 4097, `history kept ${r.len} points`);
    // Over the last two thirds, memory does not grow; after the first tenth it grows by at most
    // two 64 KiB pages. (The allocator may take a page or two late, once, as the thinned
    // histories and snapshots are reallocated: when depends on the heap's layout, seen at 60 000
    // steps with 7 rows on main; a leak of even one history point per step would be megabytes.)
    const grew = `wasm memory grew: ${r.sizes.join(", ")}`;
    assert.equal(r.sizes[r.sizes.length - 1], r.sizes[10], grew);
    assert.ok(r.sizes[r.sizes.length - 1] - r.sizes[3] <= 2 * 65536, grew);
  } finally {
    await browser.close();
  }
});
