// Passkeys through real WebAuthn ceremonies in Chromium, with its virtual
// authenticator (CDP `WebAuthn.addVirtualAuthenticator`): added on the
// Security page, then a sign-in with the passkey alone, and one as the
// second step after the password. The credential is scoped to acme's host.
import { CDPSession, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { open, PASSWORD, register, signOut, uniqueEmail } from "./helpers";

/** A platform authenticator with user verification, answering at once. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test("a passkey added on the Security page signs in alone, and as the second step", async ({ page }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const email = uniqueEmail("passkey");
  await register(page, "acme", email);
  await open(page, "acme", "/security");
  await page.getByLabel("Name for the new passkey").fill("Laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkeys")).toContainText("Laptop");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].rpId, "offered only at acme's host").toBe("acme.localhost");
  expect(credentials[0].isResidentCredential).toBe(true);

  // A passkey alone.
  await signOut(page);
  await open(page, "acme", "/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);

  // The password, then the passkey.
  await signOut(page);
  await open(page, "acme", "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/two-step$/);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
  await open(page, "acme", "/security");
  await expect(page.getByTestId("assurance").first()).toContainText("password + passkey (two factors)");
});
