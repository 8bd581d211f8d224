import { createHmac } from "node:crypto";
import { expect, Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "../server";

export const PASSWORD = "correct horse battery";

export function url(tenant: string | null, path: string): string {
  const port = process.env.TESSERA_PORT;
  const host = tenant ? `${tenant}.localhost` : "localhost";
  return `http://${host}:${port}${path}`;
}

/** The server that shares cookies across *.tessera.test. */
export function sharedUrl(tenant: string | null, path: string): string {
  const port = process.env.TESSERA_SHARED_PORT;
  const host = tenant ? `${tenant}.tessera.test` : "tessera.test";
  return `http://${host}:${port}${path}`;
}

/** A fresh address per call, so tests never share accounts. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
}

export type Site = (tenant: string | null, path: string) => string;

/** Addresses on a server of the test's own (`startServer`). */
export function at(port: number): Site {
  return (tenant, path) => `http://${tenant ? `${tenant}.localhost` : "localhost"}:${port}${path}`;
}

/** Opens a page and waits until the app has hydrated. */
export async function open(page: Page, tenant: string | null, path: string, site: Site = url) {
  await page.goto(site(tenant, path));
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

export async function register(page: Page, tenant: string, email: string, site: Site = url) {
  await open(page, tenant, "/register", site);
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to ${tenant} as ${email}`);
}

export async function signIn(page: Page, tenant: string, email: string, site: Site = url) {
  await open(page, tenant, "/login", site);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to ${tenant} as ${email}`);
}

/** Signs in as acme's admin (the test servers' `admin@acme.test`). */
export async function signInAsAdmin(page: Page, site: Site = url) {
  await open(page, "acme", "/login", site);
  await page.getByLabel("Email").fill("admin@acme.test");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in")).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
}

export const TOKEN_KEY = "tessera_bridge_token";

/** What the session bridge logs once it has rotated a signed-in page's token. */
const REFRESHED = "[SessionBridge] bridge token refreshed";

/**
 * Runs `load`, which loads a signed-in page, then waits until that page's
 * session bridge has refreshed its token: none of the bridge's requests is
 * still under way (to be cut off by what the test does next), and the
 * server has counted the refresh.
 */
export async function bridgeSettled<T>(page: Page, load: () => Promise<T>): Promise<T> {
  const refreshed = page.waitForEvent("console", { predicate: (m) => m.text() === REFRESHED, timeout: 10_000 });
  try {
    const result = await load();
    await refreshed;
    return result;
  } catch (error) {
    refreshed.catch(() => undefined);
    throw error;
  }
}

export async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
}

/** Waits until the bridge has stored a token (optionally a different one). */
export async function waitForToken(page: Page, not?: string | null): Promise<string> {
  await expect.poll(() => storedToken(page)).not.toBeNull();
  if (not) await expect.poll(() => storedToken(page)).not.toBe(not);
  return (await storedToken(page)) ?? "";
}

/** The bridge cookie (`bridge.storage = cookie`) the browser holds for
 * `tenant`: read through the browser context, as no script on the page can. */
export async function bridgeCookie(page: Page, tenant: string) {
  const cookies = await page.context().cookies();
  return cookies.find((c) => c.name === `tenant_${tenant}_bridge`) ?? null;
}

/** Waits until the browser holds a bridge cookie (optionally a different one). */
export async function waitForBridgeCookie(page: Page, tenant: string, not?: string): Promise<string> {
  await expect.poll(async () => (await bridgeCookie(page, tenant))?.value ?? null).not.toBeNull();
  if (not) await expect.poll(async () => (await bridgeCookie(page, tenant))?.value).not.toBe(not);
  return (await bridgeCookie(page, tenant))?.value ?? "";
}

/** POSTs a restore from inside the page (same origin, like the app does). */
export async function restoreFromPage(page: Page, token: string): Promise<number> {
  return page.evaluate(async (t) => {
    const response = await fetch("/api/session-bridge/restore", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: t }),
    });
    return response.status;
  }, token);
}

/**
 * The RFC 6238 code of a base32 `secret` at `at` (ms): SHA-1, six digits,
 * 30-second steps, as authenticator apps (and the server) compute it.
 */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.toUpperCase().replace(/=+$/, "")]
    .map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

/**
 * A code of the step after the present one: the server accepts a step
 * either side of its own, and never one at or before the last it took, so
 * this one is new even right after another code was used.
 */
export function nextCode(secret: string): string {
  return totp(secret, Date.now() + 30_000);
}

/** Turns two-step sign-in on from the Security page: its key, and the recovery codes shown. */
export async function setUpTwoStep(page: Page, site: Site = url): Promise<{ secret: string; recoveryCodes: string[] }> {
  await open(page, "acme", "/security", site);
  await page.getByLabel("Your password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Set up two-step sign-in" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await expect(page.locator(".qr svg")).toBeVisible();
  await page.getByLabel("The six-digit code it shows").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const codes = page.getByTestId("recovery-codes").locator("code");
  await expect(codes).toHaveCount(10);
  return { secret, recoveryCodes: await codes.allTextContents() };
}
