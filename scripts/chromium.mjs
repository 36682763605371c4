// How every browser script and test here starts Chromium: Debian's /usr/bin/chromium (never a
// downloaded browser; MCP_CHROMIUM overrides the path), headless, with nothing that reaches the
// network by itself. Used with playwright-core's `chromium.launchPersistentContext(freshDir, …)`.

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
