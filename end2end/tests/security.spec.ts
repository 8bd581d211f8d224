import { test, expect, BRIDGE_TOKEN_REFUSED } from "./fixtures";
import { open, register, signIn, uniqueEmail } from "./helpers";

test("the Security page signs a user out everywhere else", async ({ page, browser, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the other browser's revoked token, refused
  consoleGuard.allow(BRIDGE_TOKEN_REFUSED); // ... and dropped by its bridge on reload
  const email = uniqueEmail("ada");
  await register(page, "acme", email);

  const otherContext = await browser.newContext();
  await consoleGuard.watch(otherContext);
  const other = await otherContext.newPage();
  await signIn(other, "acme", email);

  await page.getByRole("link", { name: "Security: your sessions and devices" }).click();
  await expect(page.getByRole("heading", { name: "Security" })).toBeVisible();
  const sessions = page.getByTestId("my-sessions");
  await expect(sessions.getByRole("row").filter({ hasText: "This browser" })).toHaveCount(1);
  await expect(sessions.getByRole("row").filter({ hasText: "Another browser" })).toHaveCount(1);

  page.once("dialog", (dialog) => dialog.accept()); // it asks first
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(sessions.getByRole("row").filter({ hasText: "Another browser" })).toHaveCount(0);
  await expect(page.getByTestId("my-devices").getByRole("row").filter({ hasText: "Another browser" })).toHaveCount(0);

  await other.reload();
  await expect(other.getByTestId("signed-out")).toBeVisible();
  await open(page, "acme", "/dashboard");
  await expect(page.getByTestId("signed-in")).toBeVisible();
  await otherContext.close();
});
