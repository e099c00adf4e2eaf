import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { pino } from "pino";
import { connectEventBus, ensureStreams, type EventBus } from "#kit/bus.js";
import { migrate, openDatabase, type Database } from "#kit/database.js";
import { dropDatabaseIfExists } from "../../tools/infra.js";

export interface KitInfra {
  /** The suite's random event namespace: its streams are "<NAMESPACE>_<DOMAIN>". */
  readonly namespace: string;
  /** The suite's own database, with the kit's tables (outbox, inbox, …). */
  readonly db: Database;
  readonly bus: EventBus;
}

/**
 * Real PostgreSQL and NATS for a kit test suite: its own database and its own streams under a random namespace, made
 * before the suite's tests and removed after them. Call it in a `describe`; `db` and `bus` are there once tests run.
 */
export function useKitInfra(suite: string): KitInfra {
  const namespace = `k${randomBytes(4).toString("hex")}`;
  const infra = inject("infra");
  const database = `${namespace}_${suite}`;
  let db: Database | undefined;
  let bus: EventBus | undefined;

  beforeAll(async () => {
    const url = new URL(infra.postgresUrl);
    url.pathname = `/${database}`;
    db = await openDatabase({ url: url.toString(), entities: [], migrations: [] });
    await migrate(db);
    bus = await connectEventBus({ url: infra.natsUrl, name: `${suite}-test`, namespace, logger: pino({ level: "silent" }) });
    await ensureStreams(bus);
  });

  afterAll(async () => {
    if (bus) {
      for await (const stream of bus.jsm.streams.list()) {
        if (stream.config.name.startsWith(`${namespace.toUpperCase()}_`)) await bus.jsm.streams.delete(stream.config.name);
      }
      await bus.nc.close();
    }
    await db?.close(true);
    await dropDatabaseIfExists(infra.postgresUrl, database);
  });

  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is made in beforeAll: use it in a hook or a test`);
    return value;
  };
  return {
    namespace,
    get db() {
      return ready(db, "db");
    },
    get bus() {
      return ready(bus, "bus");
    },
  };
}
