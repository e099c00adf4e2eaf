/**
 * `make up` as a user runs it (real processes, the machine's PostgreSQL and
 * NATS): kill -9 one service and the rest keeps running while the dead one
 * comes back; Ctrl-C stops everything. It also serves the web app, with the
 * development sign-in, and the services accept the app's cross-origin calls.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_GATEWAY_PORT, DEFAULT_PORTS, SERVICE_NAMES } from "#kit/config.js";
import { unaryClient } from "../test/support/grpc-clients.js";
import { freePort, portOpen } from "../test/support/ports.js";
import { waitFor } from "../test/support/system.js";
import { dropDatabaseIfExists } from "./infra.js";
import { processAlive as alive } from "../test/support/processes.js";

const root = path.resolve(import.meta.dirname, "..");
const namespace = `up${randomBytes(3).toString("hex")}`;
const logFile = path.join(root, ".data/test-logs", `${namespace}-up.log`);

async function portsBusy(): Promise<number[]> {
  const ports = [...Object.values(DEFAULT_PORTS), DEFAULT_GATEWAY_PORT];
  const open = await Promise.all(ports.map((port) => portOpen(port)));
  return ports.filter((_, i) => open[i]);
}

/** Child processes of up, by the service they serve. */
function servicePids(upPid: number): Map<string, number> {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(upPid)], { encoding: "utf8" });
  const pids = new Map<string, number>();
  for (const line of out.split("\n")) {
    const match = /^\s*(\d+)\s.*outerpark\.js (?:serve (\w+)|(gateway))/.exec(line);
    if (match) pids.set(match[2] ?? match[3]!, Number(match[1]));
  }
  return pids;
}

async function serving(service: string): Promise<boolean> {
  const health = unaryClient("health", `127.0.0.1:${DEFAULT_PORTS[service as keyof typeof DEFAULT_PORTS]}`);
  try {
    return (await health.check({ service: "" }, undefined, 1_000)).status === "SERVING";
  } finally {
    health.close();
  }
}

const busy = await portsBusy();
if (busy.length > 0) console.warn(`make up test skipped: ports ${busy.join(", ")} are in use (is a \`make up\` running?)`);

describe.skipIf(busy.length > 0)("make up", () => {
  const infra = inject("infra");
  let up: ChildProcess | undefined;

  afterAll(async () => {
    if (up && up.exitCode === null) {
      up.kill("SIGINT");
      await new Promise((resolve) => up!.once("exit", resolve));
    }
    for (const service of SERVICE_NAMES) await dropDatabaseIfExists(infra.postgresUrl, `${namespace}_${service}`);
    const nc = await connect({ servers: infra.natsUrl });
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`${namespace.toUpperCase()}_`)) await jsm.streams.delete(stream.config.name);
    }
    await nc.close();
  });

  it("restarts a service killed with SIGKILL while the others keep running, and stops everything on Ctrl-C", async () => {
    const webPort = await freePort();
    up = spawn(path.join(root, "node_modules/.bin/node"), [path.join(root, "dist/tools/up.js")], {
      env: {
        ...process.env,
        OUTERPARK_POSTGRES_URL: infra.postgresUrl,
        OUTERPARK_NATS_URL: infra.natsUrl,
        OUTERPARK_UP_NAMESPACE: namespace,
        WEB_PORT: String(webPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = createWriteStream(logFile);
    up.stdout!.pipe(log);
    up.stderr!.pipe(log);
    const upExited = new Promise<number | null>((resolve) => up!.once("exit", (code) => resolve(code)));

    for (const service of SERVICE_NAMES) await waitFor(() => serving(service), 90_000, `${service} to serve`);
    // The printed address serves the app; its dev sign-in mints a token the services accept; they allow its origin.
    const app = `http://localhost:${webPort}`;
    expect(readFileSync(logFile, "utf8")).toContain(`Open the web app: ${app}`);
    expect(await (await fetch(app)).text()).toContain('<div id="root">');
    const signIn = await fetch(`${app}/dev/sign-in`, { method: "POST", body: JSON.stringify({ sub: "newcomer", role: "customer" }) });
    const { token } = (await signIn.json()) as { token: string };
    const myPage = await fetch(`http://127.0.0.1:${DEFAULT_PORTS.customercenter}/outerpark.customercenter.v1.CustomerCenterService/GetMyPage`, {
      method: "POST",
      headers: { origin: app, authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(await myPage.json()).toMatchObject({ customerId: "newcomer" });
    expect(myPage.headers.get("access-control-allow-origin")).toBe(app);

    const before = servicePids(up.pid!);
    expect([...before.keys()].sort()).toEqual([...SERVICE_NAMES, "gateway"].sort());

    process.kill(before.get("musical")!, "SIGKILL");
    await waitFor(
      () => {
        const pid = servicePids(up!.pid!).get("musical");
        return pid !== undefined && pid !== before.get("musical");
      },
      20_000,
      "musical to be started again",
    );
    await waitFor(() => serving("musical"), 60_000, "the restarted musical to serve");

    // Nothing else was touched: same processes, up itself still running.
    expect(up.exitCode).toBeNull();
    const after = servicePids(up.pid!);
    for (const name of [...SERVICE_NAMES, "gateway"].filter((s) => s !== "musical")) expect(after.get(name)).toBe(before.get(name));
    expect(readFileSync(logFile, "utf8")).toMatch(/musical exited; restarting it in \d+ ms/);

    // Ctrl-C: every process stops and up exits cleanly.
    up.kill("SIGINT");
    expect(await upExited).toBe(0);
    for (const pid of after.values()) expect(alive(pid)).toBe(false);
  });
});
