// The central admin on the main domain, behind HTTP Basic auth.
import { test, expect } from "./fixtures";
import { ADMIN_PASSWORD } from "../server";
import { open, PASSWORD } from "./helpers";

test.describe("with the central admin's credentials", () => {
  test.use({ httpCredentials: { username: "admin", password: ADMIN_PASSWORD } });

  test("creates a tenant and deletes it after confirmation", async ({ page, consoleGuard }) => {
    consoleGuard.allow(/status of 400/); // the unconfirmed delete, refused
    const slug = `central${Date.now().toString(36)}`;
    await open(page, null, "/central-admin");
    await expect(page.getByTestId("tenants")).toContainText("acme");
    await page.getByLabel("Slug").fill(slug);
    await page.getByLabel("Name").fill("Made Centrally");
    await page.getByLabel("Admin email").fill("boss@example.test");
    await page.getByLabel("Admin password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create tenant" }).click();
    await expect(page.getByTestId("tenants")).toContainText(slug);
    // The page was loaded again: its forms are plain posts until hydrated.
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

    const confirm = page.getByLabel(`confirm deleting ${slug}`);
    await confirm.fill("not the slug");
    await confirm.locator("xpath=..").getByRole("button", { name: "Delete" }).click();
    await expect(page.getByText(`type "${slug}" to confirm`)).toBeVisible();
    await page.getByLabel(`confirm deleting ${slug}`).fill(slug);
    await page.getByLabel(`confirm deleting ${slug}`).locator("xpath=..").getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId("tenants")).not.toContainText(slug);
  });
});

test("without credentials the central admin asks for them; wrong ones are refused", async ({ request }) => {
  // (Headless Chromium turns a 401 prompt into a navigation error; ask plainly.)
  const base = `http://localhost:${process.env.TESSERA_PORT}`;
  const anonymous = await request.get(`${base}/central-admin`);
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["www-authenticate"]).toContain("Basic");
  const wrong = await request.get(`${base}/central-admin`, {
    headers: { Authorization: `Basic ${Buffer.from("admin:wrong").toString("base64")}` },
  });
  expect(wrong.status()).toBe(403);
});
