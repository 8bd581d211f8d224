// Every page as people meet it: checked by axe (zero violations at desktop
// and phone widths, and in dark mode the colours again), free of console errors and CSP
// violations (the fixture), and photographed at both widths, each picture
// compared with its committed baseline in end2end/screenshots/. Pages are
// checked as they first load and with an error message or a confirmation
// shown. Also: signing in and changing a setting with the keyboard alone.
//
// The pictures are the same on every run: each test has a server of its own
// (fresh data, the same fixed accounts and names), the browser's clock is
// fixed, and what the server renders from its own clock (session and device
// times, the usage chart's days, the audit log's times) is masked.
//
// Updating the baselines, on purpose only (CI never writes them):
//
//   cd end2end && npx playwright test tests/a11y.spec.ts --update-snapshots
//
// then look at every changed image in end2end/screenshots/ (git diff, or an
// image viewer) before committing it. A page's first baseline is written
// by any local run; a failed comparison leaves the expected, actual and
// diff images in end2end/test-results/.
import axe from "axe-core";
import { Locator, Page } from "@playwright/test";
import { test as guarded, expect } from "./fixtures";
import { ADMIN_PASSWORD, startServer } from "../server";
import { at, bridgeSettled, open, PASSWORD, register, signInAsAdmin, signOut, Site, totp } from "./helpers";

const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

/** The one member the pictures show. */
const MEMBER = "ada@example.test";

/** What the browser's clock says throughout. */
const NOW = new Date("2026-01-15T09:30:00Z");

const test = guarded.extend<{ site: Site }>({
  /** A server of the test's own: its pages show only what the test did. */
  site: async ({}, use) => {
    const server = await startServer({ env: { TESSERA_CENTRAL_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    try {
      await use(at(server.port));
    } finally {
      await server.stop();
    }
  },
});

test.beforeEach(async ({ page }) => {
  await page.clock.setFixedTime(NOW);
});

/**
 * What the server renders from its own clock, masked in the pictures (the
 * rest of the page is still compared): when a session was last seen and a
 * device last used (their tables' cells), the usage chart's day labels
 * ("12-01"), and the times of failed sign-ins and audit entries (`<time>`).
 */
function serverClock(page: Page): Locator[] {
  return [
    page.locator('td[data-label="Last seen"], td[data-label="Last used"]'),
    page.getByTestId("bridge-chart").locator("text").filter({ hasText: /^\d\d-\d\d$/ }),
    page.locator("time"),
    // Random by design: a two-step key (as QR code and text), recovery codes.
    page.locator(".qr"),
    page.getByTestId("totp-secret"),
    page.getByTestId("recovery-codes"),
  ];
}

/**
 * axe's rules on the page as it is now. axe is injected once per page
 * state (@axe-core/playwright injects its 500 KB on every run, half of each
 * run's time); dark mode changes only colours, so there only the contrast
 * rule runs again.
 */
async function axeViolations(page: Page, colorScheme: "light" | "dark") {
  // Evaluated, not a <script>: the pages' CSP admits only their own scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axe.source);
  const options: axe.RunOptions = {
    resultTypes: ["violations"],
    ...(colorScheme === "dark" ? { runOnly: ["color-contrast"] } : {}),
  };
  return page.evaluate(async (options) => {
    const results = await window.axe.run(document, options);
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      where: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
  }, options);
}

declare global {
  interface Window {
    axe: typeof axe;
  }
}

/** At each width: axe in light, the contrast again in dark, then the picture (light). */
async function check(page: Page, name: string) {
  for (const [width, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page, colorScheme), `${name} (${width}, ${colorScheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
    // The whole page in one viewport: a picture of a longer page would show
    // what is sticky (the admin's "Save settings" bar) where the first
    // screenful ends, over whichever field is there, rather than at rest
    // under its form.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
    await expect(page).toHaveScreenshot(`${name}-${width}.png`, { fullPage: true, mask: serverClock(page) });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

test("the central site's pages", async ({ page, site, consoleGuard }) => {
  consoleGuard.allow(/status of 404/); // the unknown workspace, refused
  await open(page, null, "/", site);
  await check(page, "central-home");
  // An error message shown: a workspace that does not exist.
  await page.getByLabel("Workspace").fill("initech");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toHaveText('There is no workspace called "initech" here.');
  await check(page, "central-home-unknown");
  await open(page, null, "/signup", site);
  await check(page, "central-signup");
});

test.describe("the central admin", () => {
  test.use({ httpCredentials: { username: "admin", password: ADMIN_PASSWORD } });
  test("its page", async ({ page, site }) => {
    await open(page, null, "/central-admin", site);
    await check(page, "central-admin");
  });
});

test("a workspace's pages, signed out", async ({ page, site, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the wrong password, refused
  await open(page, "acme", "/", site);
  await check(page, "tenant-home");
  await open(page, "acme", "/login", site);
  await check(page, "tenant-login");
  // An error message shown: a wrong password.
  await page.getByLabel("Email").fill(MEMBER);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("invalid email or password");
  await check(page, "tenant-login-refused");
  await open(page, "acme", "/register", site);
  await check(page, "tenant-register");
});

test("a member's pages", async ({ page, site, consoleGuard }) => {
  consoleGuard.allow(/status of 403/); // the admin page, refused
  await bridgeSettled(page, () => register(page, "acme", MEMBER, site));
  await check(page, "tenant-dashboard");
  await bridgeSettled(page, () => open(page, "acme", "/security", site));
  await check(page, "tenant-security");
  const refused = await bridgeSettled(page, () => page.goto(site("acme", "/admin")));
  expect(refused?.status()).toBe(403);
  await check(page, "tenant-admin-refused");
});

test("two-step sign-in's pages", async ({ page, site }) => {
  await bridgeSettled(page, () => register(page, "acme", MEMBER, site));
  await bridgeSettled(page, () => open(page, "acme", "/security", site));
  await page.getByLabel("Your password", { exact: true }).fill(PASSWORD);
  await bridgeSettled(page, () => page.getByRole("button", { name: "Set up two-step sign-in" }).click());
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await check(page, "tenant-security-two-step-setup");
  await page.getByLabel("The six-digit code it shows").fill(totp(secret));
  await bridgeSettled(page, () => page.getByRole("button", { name: "Turn on two-step sign-in" }).click());
  await expect(page.getByTestId("recovery-codes").locator("code")).toHaveCount(10);
  await check(page, "tenant-recovery-codes");
  // A privileged change refused: the prompt shown in place.
  await bridgeSettled(page, () => open(page, "acme", "/security?error=step_up_required&form=%2Fapi%2Faccount%2Fpassword", site));
  await expect(page.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await check(page, "tenant-security-step-up");
  await signOut(page);
  await open(page, "acme", "/login", site);
  await page.getByLabel("Email").fill(MEMBER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/two-step$/);
  await check(page, "tenant-two-step");
  // Any other page while the sign-in waits asks in place, in a dialog (as
  // a restore that must step up does).
  await open(page, "acme", "/dashboard", site);
  await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toBeVisible();
  await check(page, "tenant-step-up-dialog");
});

test("the admin panel", async ({ page, site }) => {
  await bridgeSettled(page, () => signInAsAdmin(page, site));
  await bridgeSettled(page, () => open(page, "acme", "/admin", site));
  await check(page, "tenant-admin");
});

test("the admin panel with a setting refused, then saved", async ({ page, site, consoleGuard }) => {
  consoleGuard.allow(/status of 400/); // the invalid value, refused on purpose
  await bridgeSettled(page, () => signInAsAdmin(page, site));
  await bridgeSettled(page, () => open(page, "acme", "/admin", site));
  // An error message shown at the field it names.
  const idle = page.getByLabel("Idle device lifetime");
  await idle.fill("5000000");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("setting-bridge.idle_lifetime").getByRole("alert")).toContainText(
    "cannot be longer than bridge.token_lifetime",
  );
  await check(page, "tenant-admin-setting-refused");
  // A confirmation shown, and the change in the audit log.
  await idle.fill("10080");
  await page.getByLabel("Session lifetime", { exact: true }).fill("45");
  await bridgeSettled(page, () => page.getByRole("button", { name: "Save settings" }).click());
  await expect(page.getByTestId("saved")).toHaveText("Settings saved.");
  await expect(page.getByTestId("audit")).toContainText("lifetime: 120 → 45");
  await check(page, "tenant-admin-saved");
});

test("error pages", async ({ page, site, consoleGuard }) => {
  consoleGuard.allow(/status of 404/);
  const missing = await page.goto(site("acme", "/no-such-page"));
  expect(missing?.status()).toBe(404);
  await check(page, "error-not-found");
  const unknown = await page.goto(site("nowhere", "/"));
  expect(unknown?.status()).toBe(404);
  await check(page, "error-unknown-workspace");
});

/** Tabs until `selector` has the focus (at most `limit` presses). */
async function tabTo(page: Page, selector: string, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await page.locator(selector).evaluate((e) => e === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${selector} never took the focus`);
}

test("signing in and changing a setting with the keyboard alone", async ({ page }) => {
  await open(page, "acme", "/login");
  await tabTo(page, 'input[name="email"]');
  await page.keyboard.type("admin@acme.test");
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("signed-in")).toBeVisible();

  await open(page, "acme", "/admin");
  await tabTo(page, "#setting-lifetime");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("50");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("saved")).toBeVisible();
  await expect(page.locator("#setting-lifetime")).toHaveValue("50");

  // And back, by the switch-like reset checkbox, still by keyboard.
  await tabTo(page, 'input[name="reset[lifetime]"]');
  await page.keyboard.press("Space");
  await tabTo(page, "button:text('Save settings')");
  await page.keyboard.press("Enter");
  await expect(page.locator("#setting-lifetime")).toHaveValue("120");
});
