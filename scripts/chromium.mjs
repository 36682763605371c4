// How every browser script and test here starts Chromium: Debian's /usr/bin/chromium (never a
// downloaded browser; MCP_CHROMIUM overrides the path), headless, with nothing that reaches the
// network by itself. Every caller starts it through launchFresh (a persistent context on a fresh
// profile) or, where it needs several fresh contexts of one browser, launchBrowser.

/** Chromium's command-line flags. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium executable. */
export const CHROMIUM_PATH = process.env.MCP_CHROMIUM || "/usr/bin/chromium";

/**
 * Chromium with a fresh profile directory and its first page (1400 × 900 unless `options` say
 * otherwise; `options` go to playwright-core's launchPersistentContext). `close()` closes the
 * browser and deletes the profile.
 */
export async function launchFresh(prefix, options = {}) {
  const { chromium } = await import("playwright-core");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 900 }, ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  const close = async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { context, page, close };
}

/**
 * Chromium without a profile directory (playwright-core's `chromium.launch`; `options` go to it),
 * for callers that open several fresh contexts with `browser.newContext()`. Close it with
 * `browser.close()`.
 */
export async function launchBrowser(options = {}) {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ...options });
}
