// Starts the real Tessera servers of the run, each with its own temporary
// data dir, tenants acme and globex and a free port (TESSERA_PORT,
// TESSERA_SHARED_PORT). Each test uses fresh accounts so none depends on another.
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as http from "node:http";
import * as net from "node:net";

const root = resolve(__dirname, "..");
const binary = process.env.TESSERA_BIN ?? join(root, "target", "debug", "tessera");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function ready(port: number, host: string): Promise<boolean> {
  return new Promise((ok) => {
    const request = http.get(
      { host: "127.0.0.1", port, path: "/", headers: { Host: `${host}:${port}` } },
      (response) => {
        response.resume();
        ok(response.statusCode === 200);
      },
    );
    request.on("error", () => ok(false));
    request.setTimeout(2_000, () => {
      request.destroy();
      ok(false);
    });
  });
}

interface Server {
  stop: () => Promise<void>;
  port: number;
}

/** A real tessera on a free port with its own data dir and tenants acme, globex. */
async function startServer(extraEnv: Record<string, string>, probeHost: string): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
  const port = await freePort();
  const env = {
    ...process.env,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_DOMAIN: "localhost",
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    RUST_LOG: process.env.RUST_LOG ?? "warn",
    // The binary may come from `cargo test` rather than cargo-leptos.
    LEPTOS_OUTPUT_NAME: "tessera",
    ...extraEnv,
  };
  for (const [slug, name] of [["acme", "Acme"], ["globex", "Globex"]]) {
    execFileSync(binary, ["tenant", "create", slug, "--name", name], { cwd: root, env, stdio: "inherit" });
  }
  const server: ChildProcess = spawn(binary, ["serve"], { cwd: root, env, stdio: "inherit" });
  let exited = false;
  server.on("exit", () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (!(await ready(port, probeHost))) {
    if (exited || Date.now() > deadline) {
      server.kill("SIGKILL");
      throw new Error(`tessera did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    if (!exited) server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { stop, port };
}

export default async function globalSetup() {
  // Tenants on *.localhost with the defaults (host-only cookies) ...
  const plain = await startServer({}, "localhost");
  // ... and on *.tessera.test (mapped to 127.0.0.1 in Chromium) sharing
  // cookies across subdomains, which browsers refuse on localhost.
  const shared = await startServer(
    { TESSERA_DOMAIN: "tessera.test", TENANCY_CROSS_SUBDOMAIN_SESSIONS: "true" },
    "tessera.test",
  );
  process.env.TESSERA_PORT = String(plain.port);
  process.env.TESSERA_SHARED_PORT = String(shared.port);
  return async () => {
    await Promise.all([plain.stop(), shared.stop()]);
  };
}
