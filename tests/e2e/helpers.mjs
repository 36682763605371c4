// What the page's end-to-end tests share: where the page is served, a Chromium that records its
// errors and requests, opening the page, pausing it, setting its controls, waiting for its URL,
// downloads, asking it as an embedding parent would. Not a test file itself (node --test runs
// *.test.mjs).

import { readFileSync } from "node:fs";
import { after, before } from "node:test";
import { launchFresh } from "../../scripts/chromium.mjs";

/** The served repository root (scripts/test.sh sets MCP_BASE_URL). */
export const BASE_URL = process.env.MCP_BASE_URL || "http://127.0.0.1:8000/";
export const ORIGIN = new URL(BASE_URL).origin;

/** Pushes `page`'s console errors to `consoleErrors` and its uncaught errors to `pageErrors`. */
export function watchErrors(page, consoleErrors, pageErrors = consoleErrors) {
  page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => pageErrors.push(String(err)));
}

/**
 * launchFresh (scripts/chromium.mjs), recording what the tests check at the end: the first
 * page's console errors and page errors, and every URL the browser requested.
 */
export async function launchWatched(prefix, options) {
  const browser = await launchFresh(prefix, options);
  const consoleErrors = [];
  const pageErrors = [];
  const requests = [];
  browser.context.on("request", (r) => requests.push(r.url()));
  watchErrors(browser.page, consoleErrors, pageErrors);
  return { ...browser, consoleErrors, pageErrors, requests };
}

/** In a describe block: a launchWatched Chromium (1400 × 900) for its tests, given to `set` once up, closed after them. */
export function withBrowser(prefix, set) {
  let browser;
  before(async () => {
    browser = await launchWatched(prefix, { viewport: { width: 1400, height: 900 } });
    set(browser);
  });
  after(async () => {
    await browser?.close();
  });
}

/** The requested URLs that went to another origin than the page's (data:, blob: and about: go nowhere). */
export function foreignRequests(requests) {
  return requests.filter((u) => !/^(data|blob|about):/.test(u) && new URL(u).origin !== ORIGIN);
}

/**
 * Loads BASE_URL + hash as a new document (from about:blank: a hash change alone would not
 * reload). A page that does not load says where it was looked for.
 */
export async function gotoPage(page, hash = "") {
  await page.goto("about:blank");
  try {
    await page.goto(BASE_URL + hash, { waitUntil: "load" });
  } catch (err) {
    throw new Error(`could not open ${BASE_URL} (serve the repository root there, or set MCP_BASE_URL): ${err.message}`);
  }
}

/**
 * gotoPage, then waits for the run panels and the step counter; with `stepping`, until it has
 * stepped; with `csp`, then records Content Security Policy violations in window.__csp.
 */
export async function openPage(page, hash = "", { stepping = false, csp = false } = {}) {
  await gotoPage(page, hash);
  await page.waitForFunction((stepping) => {
    const counter = document.querySelector("#step-counter");
    return document.querySelectorAll("article[data-run]").length > 0 && !!counter && (!stepping || Number(counter.dataset.step) > 0);
  }, stepping, { timeout: 30_000 });
  if (csp) {
    await page.evaluate(() => document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp = (window.__csp || []).concat(`${e.violatedDirective} ${e.blockedURI}`);
    }));
  }
}

/**
 * A new page of `context` at `path` (relative to BASE_URL), once its run panels are there; its
 * console and page errors go to `errors` (page.errors). `cores` fakes
 * navigator.hardwareConcurrency (the worker pool has cores − 1 workers).
 */
export async function newTab(context, path, { errors = [], cores } = {}) {
  const page = await context.newPage();
  page.errors = errors;
  watchErrors(page, errors);
  if (cores) await page.addInitScript((c) => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => c }), cores);
  await page.goto(new URL(path, BASE_URL).href);
  await page.waitForSelector("article[data-run]");
  return page;
}

/** Pauses the page if it plays (the play button is a toggle). */
export async function pause(page) {
  if ((await page.locator("#play").getAttribute("aria-pressed")) === "true") await page.locator("#play").click();
  await page.waitForFunction(() => document.querySelector("#play").getAttribute("aria-pressed") === "false");
}

/** The global step counter (the largest step over the runs). */
export async function stepCount(page) {
  return Number(await page.locator("#step-counter").getAttribute("data-step"));
}

/** Waits until the URL's hash (written a moment after a change) matches `re`. */
export async function waitForHash(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source, { timeout: 15_000 });
}

/** Clicks `button` and returns the download it starts: its suggested name and its bytes. */
export async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.locator(button).click()]);
  return { name: dl.suggestedFilename(), data: readFileSync(await dl.path()) };
}

/** Sets the control `id` and leaves it (a change event). */
export async function setValue(page, id, value) {
  const el = page.locator(`#${id}`);
  if ((await el.evaluate((e) => e.tagName)) === "SELECT") await el.selectOption(String(value));
  else {
    await el.fill(String(value));
    await el.press("Tab");
  }
}

/** Sets the sweep's grid (rates from 10^from to 10^to, perDecade a decade) and run length. */
export async function sweepGrid(page, from, to, perDecade, length) {
  await setValue(page, "sens-from", from);
  await setValue(page, "sens-to", to);
  await setValue(page, "sens-per-decade", perDecade);
  await setValue(page, "sens-length", length);
}

/**
 * Posts `msgs` to the page as an embedding parent would (docs/embed.md) and resolves to its
 * replies, in order ({timeout: true} if some never came within `ms`). A reply to an earlier
 * message (another request's) is not counted.
 */
export function ask(page, msgs, ms = 5000) {
  return page.evaluate(({ msgs, ms }) => new Promise((resolve) => {
    const replies = [];
    const timer = setTimeout(() => resolve({ timeout: true, replies }), ms);
    const answers = (m, r) => (m.action === "get-metrics" ? r.action === "metrics" : ["ok", "error"].includes(r.action) && r.request === m.action);
    window.addEventListener("message", (e) => {
      if (replies.length >= msgs.length || e.data?.type !== "mc-playground" || !answers(msgs[replies.length], e.data)) return;
      replies.push(e.data);
      if (replies.length === msgs.length) {
        clearTimeout(timer);
        resolve({ timeout: false, replies });
      }
    });
    for (const m of msgs) window.postMessage({ type: "mc-playground", ...m }, "*");
  }), { msgs, ms });
}
