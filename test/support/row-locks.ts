import { withPgClient } from "../../tools/infra.js";

/** A row lock held by the test's own transaction until released (committed). */
export interface RowLock {
  release(): Promise<void>;
}

/**
 * Runs a locking statement (`select ... for update`) in a transaction of its
 * own connection and keeps that transaction open, so the services' statements
 * on those rows wait: a stalled transaction, made deterministic.
 */
export async function holdRowLock(databaseUrl: string, lockingSql: string, values: unknown[] = []): Promise<RowLock> {
  let commit!: () => void;
  const released = new Promise<void>((resolve) => (commit = resolve));
  let locked!: () => void;
  const acquired = new Promise<void>((resolve) => (locked = resolve));
  const session = withPgClient(databaseUrl, 10_000, async (client) => {
    await client.query("begin");
    const { rows } = await client.query(lockingSql, values);
    if (rows.length === 0) throw new Error(`nothing to lock: ${lockingSql}`);
    locked();
    await released;
    await client.query("commit");
  });
  await Promise.race([acquired, session]);
  return {
    release: async () => {
      commit();
      await session;
    },
  };
}

/** Backends of this database waiting for a lock right now (statements queued behind a held row). */
export async function lockWaiters(databaseUrl: string): Promise<number> {
  return withPgClient(databaseUrl, 10_000, async (client) => {
    const { rows } = await client.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    return (rows[0] as { n: number }).n;
  });
}
