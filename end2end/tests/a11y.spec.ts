// Every page as people meet it: checked by axe (zero violations, light and
// dark), free of console errors and CSP violations (the fixture), and
// photographed at desktop and phone widths into end2end/screenshots/.
// Also: signing in and changing a setting with the keyboard alone.
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { ADMIN_PASSWORD } from "../server";
import { open, register, signInAsAdmin, uniqueEmail, url } from "./helpers";

const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

/** axe in light and dark, then a screenshot at each width. */
async function check(page: Page, name: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    const found = results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      where: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
    expect(found, `${name} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
  for (const [width, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `screenshots/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

test("the central site's pages", async ({ page }) => {
  await open(page, null, "/");
  await check(page, "central-home");
  await open(page, null, "/signup");
  await check(page, "central-signup");
});

test.describe("the central admin", () => {
  test.use({ httpCredentials: { username: "admin", password: ADMIN_PASSWORD } });
  test("its page", async ({ page }) => {
    await open(page, null, "/central-admin");
    await check(page, "central-admin");
  });
});

test("a workspace's pages, signed out", async ({ page }) => {
  await open(page, "acme", "/");
  await check(page, "tenant-home");
  await open(page, "acme", "/login");
  await check(page, "tenant-login");
  await open(page, "acme", "/register");
  await check(page, "tenant-register");
});

test("a member's pages", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 403/); // the admin page, refused
  await register(page, "acme", uniqueEmail("a11y"));
  await check(page, "tenant-dashboard");
  await open(page, "acme", "/security");
  await check(page, "tenant-security");
  const refused = await page.goto(url("acme", "/admin"));
  expect(refused?.status()).toBe(403);
  await check(page, "tenant-admin-refused");
});

test("the admin panel", async ({ page }) => {
  await signInAsAdmin(page);
  await open(page, "acme", "/admin");
  await check(page, "tenant-admin");
});

test("error pages", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 404/);
  const missing = await page.goto(url("acme", "/no-such-page"));
  expect(missing?.status()).toBe(404);
  await check(page, "error-not-found");
  const unknown = await page.goto(url("nowhere", "/"));
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
