import { test, expect } from "./fixtures";
import { bridgeSettled, open, register, uniqueEmail, url, PASSWORD } from "./helpers";

test("register at acme and land on the dashboard", async ({ page }) => {
  const email = uniqueEmail("ada");
  await register(page, "acme", email);
  await expect(page).toHaveURL(url("acme", "/dashboard"));
  await page.reload();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
});

test("signed in at acme is not signed in at globex", async ({ page }) => {
  await register(page, "acme", uniqueEmail("ada"));
  await open(page, "globex", "/dashboard");
  await expect(page.getByTestId("signed-out")).toBeVisible();
  const cookies = await page.context().cookies(url("globex", "/"));
  expect(cookies.map((c) => c.name)).not.toContain("tenant_acme_session");
});

test("logging out at acme leaves globex signed in", async ({ page }) => {
  const acme = uniqueEmail("ada");
  const globex = uniqueEmail("ada");
  await register(page, "acme", acme);
  await register(page, "globex", globex);
  await open(page, "acme", "/dashboard");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(url("acme", "/"));
  await open(page, "acme", "/dashboard");
  await expect(page.getByTestId("signed-out")).toBeVisible();
  await open(page, "globex", "/dashboard");
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to globex as ${globex}`);
});

test("a wrong password shows a message next to the form", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the wrong password, refused
  const email = uniqueEmail("ada");
  // Signed out by forgetting the session and the bridge token (a token
  // left behind would restore the session, and reload the sign-in page
  // under the test's typing), once the dashboard's bridge has refreshed it,
  // so no refresh is under way when they go.
  await bridgeSettled(page, () => register(page, "acme", email));
  await page.context().clearCookies();
  await page.evaluate(() => localStorage.clear());
  await open(page, "acme", "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("invalid email or password");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
});

test("a message a plain post was sent back with stays on a page that hydrates", async ({ page }) => {
  // A post made before the page hydrated comes back with ?error=; the page
  // then hydrates with the message shown, and its form still works.
  await open(page, "acme", "/login?error=wrong_credentials&form=%2Fapi%2Fauth%2Flogin");
  await expect(page.getByRole("alert")).toHaveText("invalid email or password");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the same forms work as plain HTML", async ({ page }) => {
    const email = uniqueEmail("nojs");
    await page.goto(url("acme", "/register"));
    await page.getByLabel("Name").fill("No Script");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto(url("acme", "/login"));
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("alert")).toHaveText("invalid email or password");
  });
});

test("the central domain offers sign-up and creates a workspace", async ({ page }) => {
  const slug = `e2e${Date.now().toString(36)}`;
  await open(page, null, "/");
  await page.getByRole("link", { name: "Create your workspace" }).click();
  await page.getByLabel("Workspace address").fill(slug);
  await page.getByLabel("Workspace name").fill("End To End");
  await page.getByLabel("Your name").fill("Eve");
  await page.getByLabel("Your email").fill("eve@example.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(url(slug, "/login"));
});

test("the central site leads someone to their workspace's sign-in", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 404/); // the unknown workspace, refused
  await open(page, null, "/");
  await page.getByLabel("Workspace").fill("initech");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toHaveText('There is no workspace called "initech" here.');
  await page.getByLabel("Workspace").fill(" Acme ");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(url("acme", "/login"));
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("an unknown workspace gets a page that says so", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 404/); // the page says so with its status
  const response = await page.goto(url("initech", "/"));
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("error-message")).toHaveText('There is no workspace called "initech" here.');
});

test("pages carry a nonce-based Content-Security-Policy that hydration satisfies", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const response = await page.goto(url("acme", "/login"));
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).toContain("frame-ancestors 'none'");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  expect(violations).toEqual([]);
});
