/**
 * Real processes, no mocks: embedded PostgreSQL and nats-server are started in
 * a temporary directory; the servers already on 127.0.0.1:5432/4222 are used
 * when present.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect as natsConnect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  EXISTING_NATS_URL,
  EXISTING_POSTGRES_URL,
  dropDatabaseIfExists,
  findNatsServer,
  provideInfrastructure,
  type Infrastructure,
} from "./infra.js";
import { freePort, portOpen } from "../test/support/ports.js";
import { createDatabaseIfMissing } from "#kit/database.js";

interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const pgSpecifier = "pg";
const pgModule = (await import(pgSpecifier)) as {
  default: { Client: new (config: { connectionString: string }) => PgClient };
};

async function sql(url: string, text: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pgModule.default.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const tempDirs: string[] = [];
async function tempDataDir(): Promise<string> {
  // mkdtemp makes a 0700 directory: the postgres user (when running as root) must traverse it.
  const dir = await fs.mkdtemp(path.join("/tmp", "outerpark-infra-"));
  await fs.chmod(dir, 0o755);
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of tempDirs) await fs.rm(dir, { recursive: true, force: true });
});

describe("provideInfrastructure, starting our own servers", () => {
  it("starts embedded PostgreSQL and nats-server, serves them, restarts on the same data, and stops them", async () => {
    const dataDir = await tempDataDir();
    let infra: Infrastructure | undefined;
    try {
      const t0 = Date.now();
      infra = await provideInfrastructure({ dataDir, preferExisting: false });
      const startMs = Date.now() - t0;
      console.log(`first start (initdb + PostgreSQL + nats-server): ${startMs} ms`);

      expect(infra.startedPostgres).toBe(true);
      expect(infra.startedNats).toBe(true);
      const pgPort = portOf(infra.postgresUrl);
      const natsPort = portOf(infra.natsUrl);
      expect(pgPort).not.toBe(5432);
      expect(natsPort).not.toBe(4222);

      // PostgreSQL: a real query, and a table to find again after a restart.
      const [row] = await sql(infra.postgresUrl, "SELECT current_setting($1) AS v, current_user AS u", ["server_version_num"]);
      expect(Number(row?.v)).toBeGreaterThanOrEqual(180000);
      expect(row?.u).toBe("postgres");
      await sql(infra.postgresUrl, "CREATE TABLE kept (v text)");
      await sql(infra.postgresUrl, "INSERT INTO kept VALUES ('still here')");

      // createDatabaseIfMissing: concurrent callers for the same name both succeed.
      await Promise.all([
        createDatabaseIfMissing(withDatabase(infra.postgresUrl, "infra_test_db")),
        createDatabaseIfMissing(withDatabase(infra.postgresUrl, "infra_test_db")),
        createDatabaseIfMissing(withDatabase(infra.postgresUrl, "infra_test_db")),
      ]);
      await createDatabaseIfMissing(withDatabase(infra.postgresUrl, "infra_test_db"));
      const [inDb] = await sql(withDatabase(infra.postgresUrl, "infra_test_db"), "SELECT current_database() AS d");
      expect(inDb?.d).toBe("infra_test_db");
      await dropDatabaseIfExists(infra.postgresUrl, "infra_test_db");
      await dropDatabaseIfExists(infra.postgresUrl, "infra_test_db");
      expect(await sql(infra.postgresUrl, "SELECT 1 FROM pg_database WHERE datname = $1", ["infra_test_db"])).toEqual([]);

      // NATS: JetStream stream add + publish + get.
      const nc = await natsConnect({ servers: infra.natsUrl });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "INFRA_TEST", subjects: ["infra.test.>"] });
        const ack = await jetstream(nc).publish("infra.test.hello", "hello jetstream", { msgID: "m-1" });
        expect(ack.stream).toBe("INFRA_TEST");
        const msg = await jsm.streams.getMessage("INFRA_TEST", { seq: ack.seq });
        expect(msg?.string()).toBe("hello jetstream");
      } finally {
        await nc.close();
      }

      // A bad explicit NATS URL beside a good PostgreSQL URL: clear error, nothing started.
      await expect(provideInfrastructure({ dataDir, postgresUrl: infra.postgresUrl, natsUrl: "nats://127.0.0.1:1" })).rejects.toThrow(
        /NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/,
      );

      const t1 = Date.now();
      await infra.stop();
      await infra.stop(); // idempotent
      console.log(`stop: ${Date.now() - t1} ms`);
      expect(await portOpen(pgPort)).toBe(false);
      expect(await portOpen(natsPort)).toBe(false);

      // Simulate a crash leftover: a postmaster.pid naming a dead process.
      await fs.writeFile(
        path.join(dataDir, "postgres", "postmaster.pid"),
        `999999\n${path.join(dataDir, "postgres")}\n0\n${pgPort}\n\n127.0.0.1\n  0  0\nready\n`,
      );

      // Second start on the same data directory: no initdb, data kept.
      const t2 = Date.now();
      infra = await provideInfrastructure({ dataDir, preferExisting: false });
      console.log(`restart on existing data (PostgreSQL + nats-server): ${Date.now() - t2} ms`);
      expect(await sql(infra.postgresUrl, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
      const nc2 = await natsConnect({ servers: infra.natsUrl });
      try {
        const info = await (await jetstreamManager(nc2)).streams.info("INFRA_TEST");
        expect(info.state.messages).toBe(1);
      } finally {
        await nc2.close();
      }
      const ports = [portOf(infra.postgresUrl), portOf(infra.natsUrl)];
      await infra.stop();
      for (const port of ports) expect(await portOpen(port)).toBe(false);
    } finally {
      await infra?.stop();
    }
  }, 240_000);
});

const existingPostgres = await portOpen(5432);
const existingNats = await portOpen(4222);

describe("provideInfrastructure, preferring existing servers", () => {
  it.skipIf(!existingPostgres || !existingNats)(
    "uses 127.0.0.1:5432 and 127.0.0.1:4222 and starts nothing",
    async () => {
      const dataDir = await tempDataDir();
      const infra = await provideInfrastructure({ dataDir, preferExisting: true });
      expect(infra.postgresUrl).toBe(EXISTING_POSTGRES_URL);
      expect(infra.natsUrl).toBe(EXISTING_NATS_URL);
      expect(infra.startedPostgres).toBe(false);
      expect(infra.startedNats).toBe(false);
      expect(await fs.readdir(dataDir)).toEqual([]); // nothing created
      await infra.stop();
      // Stopping must leave the existing servers alone.
      expect(await portOpen(5432)).toBe(true);
      expect(await portOpen(4222)).toBe(true);
      expect(await sql(infra.postgresUrl, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    },
    60_000,
  );
});

describe("provideInfrastructure, bad explicit URLs", () => {
  it("reports an unreachable PostgreSQL URL clearly, without its password", async () => {
    const dataDir = await tempDataDir();
    const error = await provideInfrastructure({
      dataDir,
      postgresUrl: "postgres://postgres:s3cret@127.0.0.1:1/postgres",
      natsUrl: "nats://127.0.0.1:1",
    }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(/^PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres is not reachable: .*ECONNREFUSED/);
    expect(error?.message).not.toContain("s3cret");
  }, 30_000);

  it.skipIf(!existingPostgres)(
    "reports an unreachable NATS URL clearly",
    async () => {
      const dataDir = await tempDataDir();
      await expect(provideInfrastructure({ dataDir, postgresUrl: EXISTING_POSTGRES_URL, natsUrl: "nats://127.0.0.1:1" })).rejects.toThrow(
        /^NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/,
      );
    },
    30_000,
  );

  it.skipIf(!existingPostgres)(
    "reports a NATS server without JetStream clearly",
    async () => {
      const binary = await findNatsServer();
      const port = await freePort(); // not a random guess that may be taken
      const server = spawn(binary, ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      try {
        for (let i = 0; i < 300 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
        expect(await portOpen(port), "the JetStream-less nats-server did not start").toBe(true);
        const dataDir = await tempDataDir();
        await expect(provideInfrastructure({ dataDir, postgresUrl: EXISTING_POSTGRES_URL, natsUrl: `nats://127.0.0.1:${port}` })).rejects.toThrow(
          new RegExp(`^NATS at nats://127\\.0\\.0\\.1:${port} answers but JetStream is not available`),
        );
      } finally {
        server.kill("SIGTERM");
      }
    },
    30_000,
  );

  it("rejects a malformed URL", async () => {
    const dataDir = await tempDataDir();
    await expect(provideInfrastructure({ dataDir, postgresUrl: "not a url" })).rejects.toThrow(/PostgreSQL at not a url/);
  }, 30_000);
});
