// The tenant admin panel in a real browser.
import { test, expect, BRIDGE_TOKEN_REFUSED } from "./fixtures";
import { open, register, signInAsAdmin, uniqueEmail } from "./helpers";

test("an admin changes a setting, sees it saved and audited", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 400/); // the invalid value, refused on purpose
  await signInAsAdmin(page);
  await open(page, "acme", "/admin");
  await expect(page.getByTestId("bridge-chart")).toBeVisible();
  await expect(page.getByTestId("bridge-totals")).toContainText("restores");

  // Refused by the server (an idle lifetime longer than the device's):
  // the message is shown at the field it names, nothing is saved.
  const idle = page.getByLabel("Idle device lifetime");
  await idle.fill("5000000");
  await page.getByRole("button", { name: "Save settings" }).click();
  const atIdle = page.getByTestId("setting-bridge.idle_lifetime").getByRole("alert");
  await expect(atIdle).toContainText("cannot be longer than bridge.token_lifetime");

  await idle.fill("10080");
  const lifetime = page.getByLabel("Session lifetime", { exact: true });
  await lifetime.fill("45");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("saved")).toHaveText("Settings saved.");
  await expect(page.getByTestId("audit")).toContainText("lifetime: 120 → 45");
  await expect(page.getByLabel("Session lifetime", { exact: true })).toHaveValue("45");

  // Back to the default.
  await page.getByLabel("Reset Session lifetime to its default").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("saved")).toBeVisible();
  await expect(page.getByLabel("Session lifetime", { exact: true })).toHaveValue("120");
});

test("a switch turned off is saved off", async ({ page }) => {
  await signInAsAdmin(page);
  await open(page, "acme", "/admin");
  // One whose change touches no other test's sessions.
  const name = "Create the sessions table when missing";
  await expect(page.getByRole("switch", { name })).toBeChecked();
  await page.getByRole("switch", { name }).uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("saved")).toBeVisible();
  await expect(page.getByRole("switch", { name })).not.toBeChecked();
  await page.getByRole("switch", { name }).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("saved")).toBeVisible();
  await expect(page.getByRole("switch", { name })).toBeChecked();
});

test("a plain user is refused the admin panel", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 403/); // the refusal itself
  await register(page, "acme", uniqueEmail("member"));
  const response = await page.goto(page.url().replace("/dashboard", "/admin"));
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
});

test("a device revoked by the admin is signed out", async ({ browser, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the revoked device's token, refused
  consoleGuard.allow(BRIDGE_TOKEN_REFUSED); // ... and dropped by the member's bridge on reload
  const memberContext = await browser.newContext();
  await consoleGuard.watch(memberContext);
  const member = await memberContext.newPage();
  const email = uniqueEmail("revoked");
  await register(member, "acme", email);

  const adminContext = await browser.newContext();
  await consoleGuard.watch(adminContext);
  const admin = await adminContext.newPage();
  await signInAsAdmin(admin);
  await open(admin, "acme", "/admin");
  const row = admin.getByTestId("devices").getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  // The button says what it revokes, and asks first.
  const revoke = row.getByRole("button", { name: `Revoke device: ${email}` });
  admin.once("dialog", (dialog) => dialog.dismiss());
  await revoke.click();
  await expect(row).toHaveCount(1);
  admin.once("dialog", (dialog) => dialog.accept());
  await revoke.click();
  await expect(admin.getByTestId("devices").getByRole("row").filter({ hasText: email })).toHaveCount(0);

  await member.reload();
  await expect(member.getByTestId("signed-out")).toBeVisible();
  await memberContext.close();
  await adminContext.close();
});

test("the sticky Save settings bar never covers the field in focus", async ({ page }) => {
  await signInAsAdmin(page);
  await open(page, "acme", "/admin");
  const form = page.locator("#settings form");
  const bar = form.locator(".form-actions");
  const fields = form.locator("input:not([type=hidden]):not(:disabled), select:not(:disabled)");
  const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
  const covered: string[] = [];
  for (const [width, size] of Object.entries(sizes)) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    const count = await fields.count();
    expect(count, "the settings form's fields").toBeGreaterThan(10);
    // In document order, as Tab goes: focusing a field scrolls it into view.
    for (let i = 0; i < count; i++) {
      const field = fields.nth(i);
      await field.focus();
      const [box, barBox] = await Promise.all([field.boundingBox(), bar.boundingBox()]);
      if (!box || !barBox) throw new Error(`no box for field ${i} or the bar`);
      const inView = box.y >= 0 && box.y + box.height <= size.height;
      if (!inView || box.y + box.height > barBox.y) {
        const name = (await field.getAttribute("id")) ?? (await field.getAttribute("name"));
        covered.push(`${width}: ${name} at ${Math.round(box.y)}–${Math.round(box.y + box.height)}, bar from ${Math.round(barBox.y)}`);
      }
    }
  }
  expect(covered, "fields hidden by the sticky bar (or out of view) once focused").toEqual([]);
});
