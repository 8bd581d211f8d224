import { expect, Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";

export function url(tenant: string | null, path: string): string {
  const port = process.env.TESSERA_PORT;
  const host = tenant ? `${tenant}.localhost` : "localhost";
  return `http://${host}:${port}${path}`;
}

/** A fresh address per call, so tests never share accounts. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
}

/** Opens a page and waits until the app has hydrated. */
export async function open(page: Page, tenant: string | null, path: string) {
  await page.goto(url(tenant, path));
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

export async function register(page: Page, tenant: string, email: string) {
  await open(page, tenant, "/register");
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to ${tenant} as ${email}`);
}
