// Every test runs under a console guard: any console error, uncaught
// exception or Content-Security-Policy violation on any page fails it.
// A test that provokes an error on purpose (a refused token's 401, say)
// names it with `consoleGuard.allow(/pattern/)`.
import { test as base, expect, BrowserContext } from "@playwright/test";

export interface ConsoleGuard {
  /** Lets errors matching `pattern` pass (they are still recorded). */
  allow(pattern: RegExp): void;
  /** Watches a context the test made itself (`browser.newContext()`). */
  watch(context: BrowserContext): Promise<void>;
}

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
            if (message.type() === "error") problems.push(`${page.url()}: ${message.text()}`);
          });
          page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
        };
        ctx.pages().forEach(onPage);
        ctx.on("page", onPage);
      };
      await watch(context);
      await use({ allow: (pattern) => allowed.push(pattern), watch });
      const unexpected = problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
      expect(unexpected, "console errors or CSP violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
