// Two-step sign-in in a real browser: the bridge restoring after a real
// redeploy under `bridge.step_up = enrolled` (restored, asked for the code
// in place, over the page, signed in there, no loop), and a thief with a
// stolen token and no factor (refused, seen by the admin, the owner
// untouched).
import { test, expect } from "./fixtures";
import { startServer } from "../server";
import { at, nextCode, open, register, setUpTwoStep, signInAsAdmin, storedToken, uniqueEmail, waitForToken } from "./helpers";

test("a real redeploy with the enrolled policy: restored, asked for the code, signed in", async ({ page, consoleGuard }) => {
  // As in bridge.spec.ts: a bridge request cut off by the stop.
  consoleGuard.allow(/ERR_CONNECTION_(REFUSED|RESET)/);
  consoleGuard.allow(/\[SessionBridge\] (session check|refresh) failed: .*Failed to fetch/);
  const env = { SESSION_DRIVER: "memory", BRIDGE_STEP_UP: "enrolled" };
  let server = await startServer({ env });
  try {
    const site = at(server.port);
    const email = uniqueEmail("step-up");
    await register(page, "acme", email, site);
    const { secret } = await setUpTwoStep(page, site);
    const before = await waitForToken(page);
    await server.stop(true);
    server = await startServer({ env, reuse: { port: server.port, dataDir: server.dataDir } });

    await open(page, "acme", "/dashboard", site);
    // The bridge restores, and the sign-in waits for the factor, asked in
    // place over the page.
    const prompt = page.getByRole("dialog", { name: "Confirm it is you" });
    await expect(prompt).toBeVisible();
    await expect(prompt.getByRole("button", { name: "Use a passkey" })).toBeHidden();
    expect(await storedToken(page), "nothing rotates before the factor").toBe(before);
    await prompt.getByLabel("A code from your authenticator app, or a recovery code").fill(nextCode(secret));
    await prompt.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
    await expect(page).toHaveURL(/\/dashboard$/);
    await waitForToken(page, before);

    // No loop: the next load is signed in, with nothing asked.
    await page.reload();
    await expect(page.getByTestId("signed-in")).toBeVisible();
    await expect(page).toHaveURL(/\/dashboard$/);
  } finally {
    await server.stop();
  }
});

test("a thief with the stolen token and no factor is refused; the owner keeps her sessions", async ({ page, browser, consoleGuard }) => {
  const server = await startServer({ env: { BRIDGE_STEP_UP: "enrolled" } });
  try {
    const site = at(server.port);
    const email = uniqueEmail("owner");
    await register(page, "acme", email, site);
    await setUpTwoStep(page, site);
    const stolen = await waitForToken(page);

    const thiefContext = await browser.newContext();
    await consoleGuard.watch(thiefContext);
    consoleGuard.allow(/status of 401/); // the thief's guesses, refused
    const thief = await thiefContext.newPage();
    await open(thief, "acme", "/", site);
    await thief.evaluate(([key, token]) => localStorage.setItem(key, token), ["tessera_bridge_token", stolen]);
    await thief.reload();
    const prompt = thief.getByRole("dialog", { name: "Confirm it is you" });
    await expect(prompt).toBeVisible();
    await prompt.getByLabel("A code from your authenticator app, or a recovery code").fill("000000");
    await prompt.getByRole("button", { name: "Continue" }).click();
    await expect(prompt.getByRole("alert")).toContainText("that code is not right");
    // Signing out loads the home page again: look once it has.
    await Promise.all([
      thief.waitForEvent("load"),
      prompt.getByRole("button", { name: "Cancel and sign out" }).click(),
    ]);
    await expect(thief.getByRole("link", { name: "Sign in" })).toBeVisible();
    await expect.poll(() => storedToken(thief)).toBeNull();
    await thiefContext.close();

    // The owner: still signed in, her token still hers.
    await open(page, "acme", "/dashboard", site);
    await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
    await waitForToken(page, stolen);

    // The admin sees the guess.
    const adminContext = await browser.newContext();
    await consoleGuard.watch(adminContext);
    const admin = await adminContext.newPage();
    await signInAsAdmin(admin, site);
    await open(admin, "acme", "/admin", site);
    await expect(admin.getByTestId("sign-in-events")).toContainText(`wrong_code — ${email}`);
    await adminContext.close();
  } finally {
    await server.stop();
  }
});
