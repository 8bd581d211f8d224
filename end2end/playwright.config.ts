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
  expect: { timeout: 10_000 },
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
