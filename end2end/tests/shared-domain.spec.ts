// Cookies shared across *.tessera.test (cross_subdomain on): sessions still
// never cross tenants, and switching tenants never breaks a form.
import { test, expect } from "@playwright/test";
import { open, register, sharedUrl, signIn, signOut, uniqueEmail } from "./helpers";

test("signed in at acme is not signed in at globex, even with a parent-domain cookie", async ({ page }) => {
  const email = uniqueEmail("ada");
  await register(page, "acme", email, sharedUrl);
  const cookies = await page.context().cookies(sharedUrl("globex", "/"));
  const acmeCookie = cookies.find((c) => c.name === "tenant_acme_session");
  expect(acmeCookie?.domain).toBe(".tessera.test"); // globex's requests carry it ...
  await open(page, "globex", "/dashboard", sharedUrl);
  await expect(page.getByTestId("signed-out")).toBeVisible(); // ... and it signs in nobody there
  await open(page, "acme", "/dashboard", sharedUrl);
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
});

test("switching between acme and globex tabs never fails a form", async ({ context }) => {
  const acmeTab = await context.newPage();
  const globexTab = await context.newPage();
  const acme = uniqueEmail("tab");
  const globex = uniqueEmail("tab");
  await register(acmeTab, "acme", acme, sharedUrl);
  await register(globexTab, "globex", globex, sharedUrl);
  for (let round = 0; round < 3; round++) {
    // Each tab was loaded before the other tab's last submission.
    await acmeTab.bringToFront();
    await signOut(acmeTab);
    await globexTab.bringToFront();
    await signOut(globexTab);
    await signIn(acmeTab, "acme", acme, sharedUrl);
    await signIn(globexTab, "globex", globex, sharedUrl);
  }
  await expect(acmeTab.getByRole("alert")).toHaveCount(0);
  await expect(globexTab.getByRole("alert")).toHaveCount(0);
});
