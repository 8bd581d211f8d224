// The tenant admin panel in a real browser. Screenshots of its pages are
// written to end2end/screenshots/ (not committed) for a person to look at.
import { test, expect } from "./fixtures";
import { ADMIN_PASSWORD } from "../server";
import { open, register, uniqueEmail } from "./helpers";

test("an admin changes a setting, sees it saved and audited", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 400/); // the invalid value, refused on purpose
  await open(page, "acme", "/login");
  await page.getByLabel("Email").fill("admin@acme.test");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in")).toBeVisible();
  await open(page, "acme", "/admin");
  await expect(page.getByTestId("bridge-chart")).toBeVisible();
  await expect(page.getByTestId("bridge-totals")).toContainText("restores");
  await page.screenshot({ path: "screenshots/admin-settings.png", fullPage: true });

  const lifetime = page.getByLabel(/^lifetime/);
  await lifetime.fill("soon");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("lifetime: expected a number of minutes")).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-settings-error.png", fullPage: true });

  await lifetime.fill("45");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("audit")).toContainText("lifetime: 120 → 45");
  await page.reload();
  await expect(page.getByLabel(/^lifetime/)).toHaveValue("45");
  await page.screenshot({ path: "screenshots/admin-after-save.png", fullPage: true });
});

test("a plain user is refused the admin panel", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 403/); // the refusal itself
  await register(page, "acme", uniqueEmail("member"));
  const response = await page.goto(page.url().replace("/dashboard", "/admin"));
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-refused.png", fullPage: true });
});

test("a device revoked by the admin is signed out", async ({ browser, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the revoked device's token, refused
  const memberContext = await browser.newContext();
  await consoleGuard.watch(memberContext);
  const member = await memberContext.newPage();
  const email = uniqueEmail("revoked");
  await register(member, "acme", email);

  const adminContext = await browser.newContext();
  await consoleGuard.watch(adminContext);
  const admin = await adminContext.newPage();
  await open(admin, "acme", "/login");
  await admin.getByLabel("Email").fill("admin@acme.test");
  await admin.getByLabel("Password").fill(ADMIN_PASSWORD);
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByTestId("signed-in")).toBeVisible();
  await open(admin, "acme", "/admin");
  const row = admin.getByTestId("devices").getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(admin.getByTestId("devices").getByRole("row").filter({ hasText: email })).toHaveCount(0);
  await admin.screenshot({ path: "screenshots/admin-devices.png", fullPage: true });

  await member.reload();
  await expect(member.getByTestId("signed-out")).toBeVisible();
  await memberContext.close();
  await adminContext.close();
});
