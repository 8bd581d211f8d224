// The servers every test file shares: tenants on *.localhost with the
// defaults (TESSERA_PORT) and on *.tessera.test with cross-subdomain cookies
// (TESSERA_SHARED_PORT). Each test uses fresh accounts.
import { ADMIN_PASSWORD, startServer } from "./server";

export default async function globalSetup() {
  // Tenants on *.localhost with the defaults (host-only cookies) ...
  const plain = await startServer({ env: { TESSERA_CENTRAL_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  // ... and on *.tessera.test (mapped to 127.0.0.1 in Chromium) sharing
  // cookies across subdomains, which browsers refuse on localhost.
  const shared = await startServer({
    env: { TESSERA_DOMAIN: "tessera.test", TENANCY_CROSS_SUBDOMAIN_SESSIONS: "true" },
    probeHost: "tessera.test",
  });
  process.env.TESSERA_PORT = String(plain.port);
  process.env.TESSERA_SHARED_PORT = String(shared.port);
  return async () => {
    await Promise.all([plain.stop(), shared.stop()]);
  };
}
