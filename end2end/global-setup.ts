// Starts one real Tessera server for the run: its own temporary data dir,
// tenants acme and globex, a free port. Tests read the port from
// TESSERA_PORT; each test uses fresh accounts so none depends on another.
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

function ready(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const request = http.get(
      { host: "127.0.0.1", port, path: "/", headers: { Host: `localhost:${port}` } },
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

export default async function globalSetup() {
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
  };
  for (const [slug, name] of [["acme", "Acme"], ["globex", "Globex"]]) {
    execFileSync(binary, ["tenant", "create", slug, "--name", name], { cwd: root, env, stdio: "inherit" });
  }
  const server: ChildProcess = spawn(binary, ["serve"], { cwd: root, env, stdio: "inherit" });
  let exited = false;
  server.on("exit", () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (!(await ready(port))) {
    if (exited || Date.now() > deadline) {
      server.kill("SIGKILL");
      throw new Error(`tessera did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.env.TESSERA_PORT = String(port);
  return async () => {
    server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    if (!exited) server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  };
}
