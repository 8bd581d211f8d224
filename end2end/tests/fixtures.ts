// Every test runs under a console guard: any console error, uncaught
// exception, Content-Security-Policy violation or session bridge failure on
// any page fails it. A test that provokes one on purpose (a refused token's
// 401, say) names it with `consoleGuard.allow(/pattern/)`.
import { test as base, expect, BrowserContext, ConsoleMessage } from "@playwright/test";

export interface ConsoleGuard {
  /** Lets problems matching `pattern` pass (they are still recorded). */
  allow(pattern: RegExp): void;
  /** Watches a context the test made itself (`browser.newContext()`). */
  watch(context: BrowserContext): Promise<void>;
}

/** The session bridge reports its failures (a refused token, a failed
 * check, refresh or restore) as warnings prefixed "[SessionBridge]": a
 * broken restore or refresh must fail the test as an error would. */
function bridgeFailure(message: ConsoleMessage): boolean {
  return message.type() === "warning" && message.text().startsWith("[SessionBridge]");
}

/** The bridge's warning when the server refuses its token (revoked, replayed,
 * another tenant's): for `consoleGuard.allow` in tests that provoke it. */
export const BRIDGE_TOKEN_REFUSED = /\[SessionBridge\] the bridge token was refused; it has been removed$/;

export const test = base.extend<{ consoleGuard: ConsoleGuard }>({
  consoleGuard: [
    async ({ context }, use) => {
      const problems: string[] = [];
      const allowed: RegExp[] = [];
      const watch = async (ctx: BrowserContext) => {
        // Chromium reports CSP violations on the console; the event makes
        // sure none slips by as a mere warning.
        await ctx.addInitScript(() => {
          document.addEventListener("securitypolicyviolation", (e) =>
            console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`),
          );
        });
        const onPage = (page: import("@playwright/test").Page) => {
          page.on("console", (message) => {
            if (message.type() === "error" || bridgeFailure(message)) problems.push(`${page.url()}: ${message.text()}`);
          });
          page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
        };
        ctx.pages().forEach(onPage);
        ctx.on("page", onPage);
      };
      await watch(context);
      await use({ allow: (pattern) => allowed.push(pattern), watch });
      const unexpected = problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
      expect(unexpected, "console errors, CSP violations or session bridge failures").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
