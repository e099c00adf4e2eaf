import { MikroORM, type Options } from "@mikro-orm/postgresql";
import { Migrator } from "@mikro-orm/migrations";
import type { Migration } from "@mikro-orm/migrations";
import type { EntitySchema } from "@mikro-orm/core";
import { kitMigrations } from "./kit-migrations.js";

export type { EntityManager } from "@mikro-orm/postgresql";
export type Database = MikroORM;

export interface DatabaseOptions {
  /** postgres://user@host:port/database — the service's own database. */
  url: string;
  entities: EntitySchema<any, any>[];
  /** The service's committed migrations, in order. The kit's outbox/inbox tables come first. */
  migrations: { name: string; class: new (...args: any[]) => Migration }[];
  poolMax?: number;
}

/** Opens the service's database, creating it first when it does not exist yet. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  await createDatabaseIfMissing(options.url);
  const config: Options = {
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: {
      migrationsList: [...kitMigrations, ...options.migrations],
      snapshot: false,
      silent: true,
    },
    debug: false,
    // Entities are plain schemas; the ORM must not try to read TypeScript metadata.
    discovery: { warnWhenNoEntities: false },
  };
  return MikroORM.init(config);
}

/** Applies every committed migration not applied yet. Safe to run from several replicas at once. */
export async function migrate(db: Database): Promise<string[]> {
  const em = db.em.fork();
  // A session-level advisory lock serialises concurrent migrators (replicas, the Helm hook).
  const lockId = 0x6f75746572; // "outer"
  return em.transactional(async (tx) => {
    await tx.execute("select pg_advisory_xact_lock(?)", [lockId]);
    const applied = await db.migrator.up();
    return applied.map((m) => m.name);
  });
}

export async function pingDatabase(db: Database): Promise<void> {
  await db.em.fork().execute("select 1");
}

/** Creates the database named in url when missing; concurrent callers are fine. */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new Error(`database name "${database}" must be a plain lower-case identifier`);
  }
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const orm = await MikroORM.init({
    clientUrl: admin.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    const em = orm.em.fork();
    const rows = await em.execute<{ n: number }[]>("select 1 as n from pg_database where datname = ?", [database]);
    if (rows.length > 0) return;
    try {
      await em.execute(`create database "${database}"`);
    } catch (error) {
      // Another creator won the race: 42P04 duplicate_database, or 23505 on pg_database's unique index.
      const code = String((error as { code?: string }).code ?? error);
      if (!code.includes("42P04") && !code.includes("23505") && !/already exists/.test(String(error))) {
        throw error;
      }
    }
  } finally {
    await orm.close(true);
  }
}
