// The session bridge in a real browser: restore after lost cookies and
// after a real redeploy, theft detection, other tenants, logout.
import { test, expect, BRIDGE_TOKEN_REFUSED } from "./fixtures";
import { startServer } from "../server";
import {
  at,
  bridgeCookie,
  bridgeSettled,
  open,
  register,
  restoreFromPage,
  signOut,
  storedToken,
  uniqueEmail,
  waitForBridgeCookie,
  waitForToken,
} from "./helpers";

test("cookies cleared: reload restores the session and stores a new token", async ({ page }) => {
  const logs: string[] = [];
  page.on("console", (message) => logs.push(message.text()));
  const email = uniqueEmail("bridge");
  // The dashboard's load rotates the token registering stored; the test
  // clears cookies once that refresh is done, so it is about the restore
  // alone (a refresh cut off by the cleared cookies keeps its token).
  await bridgeSettled(page, () => register(page, "acme", email));
  const first = await waitForToken(page);
  await page.context().clearCookies();
  await page.reload();
  await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
  await waitForToken(page, first);
  expect(logs.some((l) => l.includes("Session bridge token used to restore session"))).toBe(true);
});

// Each `bridge.storage`: the token in localStorage (the source document's
// design), or in an HttpOnly cookie that no script on the page can read.
for (const storage of ["local_storage", "cookie"] as const) {
  test(`a real redeploy (${storage}): server stopped, sessions wiped, started again, still signed in`, async ({ page, consoleGuard }) => {
    // The page's bridge may be refreshing its token just as the server stops,
    // as in a real redeploy: that request finds nobody listening (or is cut
    // off as the process exits).
    consoleGuard.allow(/ERR_CONNECTION_(REFUSED|RESET)/);
    // The bridge says so ("... failed: ... Failed to fetch"): its load's
    // check or refresh, cut off.
    consoleGuard.allow(/\[SessionBridge\] (session check|refresh) failed: .*Failed to fetch/);
    // Every session dies with the process.
    const env = { SESSION_DRIVER: "memory", BRIDGE_STORAGE: storage };
    let server = await startServer({ env });
    try {
      const site = at(server.port);
      const email = uniqueEmail("deploy");
      await register(page, "acme", email, site);
      let held: string;
      if (storage === "cookie") {
        held = await waitForBridgeCookie(page, "acme");
        const cookie = await bridgeCookie(page, "acme");
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/session-bridge" });
        await expectUnreadable(page, held);
      } else {
        held = await waitForToken(page);
      }
      await server.stop(true);
      server = await startServer({ env, reuse: { port: server.port, dataDir: server.dataDir } });
      await page.reload();
      await expect(page.getByTestId("signed-in")).toHaveText(`Signed in to acme as ${email}`);
      if (storage === "cookie") {
        // Restored and rotated, still out of every script's reach.
        const rotated = await waitForBridgeCookie(page, "acme", held);
        await expectUnreadable(page, rotated);
      } else {
        await waitForToken(page, held);
      }
    } finally {
      await server.stop();
    }
  });
}

/** Nothing a script on the page can read holds the token: not
 * localStorage, not sessionStorage, not document.cookie. */
async function expectUnreadable(page: import("@playwright/test").Page, token: string) {
  const readable = await page.evaluate(() => {
    const stores = [localStorage, sessionStorage].flatMap((s) =>
      Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? "")}`),
    );
    return [...stores, document.cookie].join("\n");
  });
  expect(await storedToken(page)).toBeNull();
  expect(readable).not.toContain(token);
  expect(readable).not.toContain("tsb1.");
}

test("an old token replayed after the grace window signs the device out everywhere", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the replayed token, refused
  consoleGuard.allow(BRIDGE_TOKEN_REFUSED); // ... which ends the device: its newer token is refused on the next load
  const server = await startServer({ env: { BRIDGE_ROTATION_GRACE: "1" } });
  try {
    const site = at(server.port);
    await register(page, "acme", uniqueEmail("theft"), site);
    const old = await waitForToken(page);
    await page.reload(); // the load refreshes: `old` is rotated out
    await waitForToken(page, old);
    // Timestamps are whole seconds: a 1 s grace window is over after 2 s at most.
    await page.waitForTimeout(2_500);
    expect(await restoreFromPage(page, old)).toBe(401);
    await open(page, "acme", "/dashboard", site);
    await expect(page.getByTestId("signed-out")).toBeVisible();
    await expect.poll(() => storedToken(page)).toBeNull();
  } finally {
    await server.stop();
  }
});

test("acme's token presented at globex is refused, and dies", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the foreign token, refused
  consoleGuard.allow(BRIDGE_TOKEN_REFUSED); // ... and dead: back at acme, the page's refresh is refused
  await register(page, "acme", uniqueEmail("cross"));
  const token = await waitForToken(page);
  await open(page, "globex", "/");
  expect(await restoreFromPage(page, token)).toBe(401);
  await open(page, "acme", "/");
  expect(await restoreFromPage(page, token)).toBe(401);
});

test("logout removes the token from localStorage and makes it unusable", async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 401/); // the revoked token, refused
  // Signing out only once the dashboard's bridge has refreshed its token:
  // a refresh answered after the logout would store a token again, one
  // sent after it is refused.
  await bridgeSettled(page, () => register(page, "acme", uniqueEmail("logout")));
  const token = await waitForToken(page);
  // Signing out loads the next page: look once it has.
  await signOut(page);
  await expect.poll(() => storedToken(page)).toBeNull();
  expect(await restoreFromPage(page, token)).toBe(401);
});
