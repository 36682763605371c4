// GD at learning rate 1000 on the page: it is marked "diverged at step t" with its last finite
// iterate drawn (no NaN painted or printed), while the other runs and the page go on.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { launchFresh } from "../../scripts/chromium.mjs";
import { BASE_URL, watchErrors } from "./helpers.mjs";

let browser, page;
const errors = [];

before(async () => {
  browser = await launchFresh("mcp-div-");
  ({ page } = browser);
  watchErrors(page, errors);
  await page.goto(new URL("index.html", BASE_URL).href);
  await page.waitForSelector('article[data-run="gd"]');
});

after(async () => {
  await browser?.close();
});

it("marks GD at learning rate 1000 diverged and keeps the others running", async () => {
  const gd = page.locator('article[data-run="gd"]');
  const index = await gd.getAttribute("data-index");
  const lr = page.locator(`#lr-${index}`);
  await lr.fill("1000");
  await lr.press("Enter");
  await page.waitForFunction(() => {
    const el = document.querySelector('article[data-run="gd"]');
    return el && el.dataset.divergedAt !== "";
  }, null, { timeout: 60000 });
  const divergedAt = Number(await gd.getAttribute("data-diverged-at"));
  assert.ok(divergedAt >= 1, `diverged at ${divergedAt}`);
  const text = await gd.innerText();
  assert.match(text, /diverged at step \d+/);
  assert.doesNotMatch(text, /NaN|Infinity/);
  // Its heatmap still shows a finite matrix (more than one colour, no transparent holes).
  const stats = await gd.locator('canvas[data-testid="heatmap"]').evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let transparent = 0;
    for (let k = 0; k < d.length; k += 4) { colours.add(`${d[k]},${d[k + 1]},${d[k + 2]}`); if (d[k + 3] === 0) transparent++; }
    return { colours: colours.size, transparent };
  });
  assert.ok(stats.colours > 1 && stats.transparent === 0, JSON.stringify(stats));
  // Adam goes on stepping.
  const adam = page.locator('article[data-run="adam"]');
  const before = Number(await adam.getAttribute("data-step"));
  const stop = Number(await page.locator("#steps").inputValue());
  if (before < stop) {
    await page.waitForFunction((s) => Number(document.querySelector('article[data-run="adam"]').dataset.step) > s, before, { timeout: 30000 });
  }
  const gdStep = Number(await gd.getAttribute("data-step"));
  assert.equal(gdStep, divergedAt - 1, "GD stays at its last good step");
  assert.deepEqual(errors, []);
});

it("recovers from a trap in the core (a Rust panic) by rebuilding the lab, without a reload", async () => {
  await page.evaluate(() => window.__mcpSimulateTrap());
  await page.waitForFunction(() => {
    const box = document.getElementById("load-error");
    return box && !box.hidden && /rebuilt/.test(box.textContent);
  }, null, { timeout: 30000 });
  // The page goes on: the rebuilt runs step again.
  const s0 = Number(await page.locator('article[data-run="adam"]').getAttribute("data-step"));
  await page.waitForFunction((s) => Number(document.querySelector('article[data-run="adam"]').dataset.step) > s, s0, { timeout: 30000 });
  assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length), 1, "no reload");
  assert.deepEqual(errors, []);
});
