import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright cannot download its own browser here.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 30_000,
  expect: {
    timeout: 10_000,
    // Screenshots are compared with committed baselines (tests/a11y.spec.ts
    // says how to update them on purpose). The tolerance only absorbs
    // anti-aliasing noise: a pixel counts as different beyond pixelmatch's
    // default colour distance, and at most 100 may differ. (A share of the
    // picture would grow with the page: 1% of the admin panel at phone
    // width is 21,000 pixels, enough to let its "Save settings" bar move
    // over a field unnoticed.)
    toHaveScreenshot: { threshold: 0.2, maxDiffPixels: 100, animations: "disabled", caret: "hide", scale: "css" },
  },
  // The baselines, one per page and width: end2end/screenshots/<name>.png.
  snapshotPathTemplate: "{testDir}/../screenshots/{arg}{ext}",
  // CI never writes a baseline: a missing or different one fails the run.
  // Locally a missing one is written (a new page's first baseline, to be
  // reviewed and committed); `--update-snapshots` rewrites them on purpose.
  updateSnapshots: process.env.CI ? "none" : "missing",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromium, args: chromiumArgs },
  },
  projects: [
    { name: "localhost", testIgnore: /shared-domain/ },
    {
      // Chromium drops Domain= cookies on localhost; a test domain mapped to
      // loopback lets parent-domain cookies work as in production.
      name: "shared-domain",
      testMatch: /shared-domain/,
      use: {
        launchOptions: {
          executablePath: chromium,
          args: [...chromiumArgs, "--host-resolver-rules=MAP *.tessera.test 127.0.0.1,MAP tessera.test 127.0.0.1"],
        },
      },
    },
  ],
});
