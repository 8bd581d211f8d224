// Starts real Tessera servers for the end-to-end tests: each with its own
// temporary data dir (or a given one, to restart on the same data), tenants
// acme and globex, and a free (or given) port.
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as http from "node:http";
import * as net from "node:net";

const root = resolve(__dirname, "..");
/** The password of each tenant's admin (admin@<slug>.test) in these test servers. */
export const ADMIN_PASSWORD = "e2e-admin-password";
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

export interface Server {
  port: number;
  dataDir: string;
  /** Stops the process (SIGTERM, as a deploy would); `keepData` for a restart. */
  stop: (keepData?: boolean) => Promise<void>;
}

export interface Options {
  env?: Record<string, string>;
  probeHost?: string;
  /** Restart on an existing server's port and data. */
  reuse?: { port: number; dataDir: string };
}

export async function startServer(options: Options = {}): Promise<Server> {
  const { env: extraEnv = {}, probeHost = "localhost", reuse } = options;
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), "tessera-e2e-"));
  const port = reuse?.port ?? (await freePort());
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
  if (!reuse) {
    for (const [slug, name] of [["acme", "Acme"], ["globex", "Globex"]]) {
      const admin = ["--admin-email", `admin@${slug}.test`, "--admin-name", `${name} Admin`];
      execFileSync(binary, ["tenant", "create", slug, "--name", name, ...admin], {
        cwd: root,
        env: { ...env, TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD },
        stdio: "ignore",
      });
    }
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
  const stop = async (keepData = false) => {
    server.kill("SIGTERM");
    for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!exited) server.kill("SIGKILL");
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  return { stop, port, dataDir };
}

