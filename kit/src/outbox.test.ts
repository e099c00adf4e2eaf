import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { useKitInfra } from "../../test/support/kit-infra.js";
import { newEvent, streamName } from "./events.js";
import { OutboxRelay, Transactor } from "./outbox.js";
import { run } from "./sql.js";

/** The relay publishes a window of rows at once; a row JetStream refuses backs off alone. Real NATS, real PostgreSQL. */
describe("OutboxRelay", () => {
  const kit = useKitInfra("outbox");
  const { namespace } = kit;
  const logger = pino({ level: "silent" });
  const outboxRows = async () => (await kit.db.em.fork().execute<{ n: number }[]>("select count(*)::int as n from outbox"))[0]!.n;
  /** What the outbox holds now, to put back later as a relay that died before its delete would have left it. */
  const keepCopyOfOutbox = async () => {
    await kit.db.em.fork().execute("drop table if exists outbox_copy");
    await kit.db.em.fork().execute("create table outbox_copy as select * from outbox");
  };
  const restoreOutboxCopy = async (nextAttemptAt: string, except: string[] = []) => {
    await kit.db.em.fork().execute("delete from outbox");
    await run(kit.db.em.fork(), "insert into outbox select * from outbox_copy where event_id <> all(?::uuid[])", [except]);
    await kit.db.em.fork().execute(`update outbox set next_attempt_at = ${nextAttemptAt}`);
  };

  it("publishes a window of rows in one pass, deletes them, and backs off only the row JetStream refused", async () => {
    const transactor = new Transactor(kit.db, namespace, () => undefined);
    const events = Array.from({ length: 50 }, (_, i) => newEvent(ReservationPlacedSchema, { reservationId: `r${i}`, customerId: "kit", amount: 1n }));
    await transactor.run(async (tx) => {
      for (const event of events) await tx.publish(event);
    });
    // A subject no stream takes: JetStream answers "no responders" at once.
    const refused = randomUUID();
    await kit.db.em
      .fork()
      .execute("insert into outbox (event_id, event_type, subject, payload) values (?, ?, ?, ?)", [
        refused,
        ReservationPlacedSchema.typeName,
        `${namespace}-nostream.x`,
        Buffer.from([]),
      ]);
    await keepCopyOfOutbox();

    const relay = new OutboxRelay({ db: kit.db, bus: kit.bus, logger, batchSize: 64 });
    expect(await relay.relayOnce()).toBe(50);

    // What was published is gone from the outbox; only the refused row stays, waiting for its retry.
    const rows = await kit.db.em
      .fork()
      .execute<{ event_id: string; attempts: number; last_error: string | null; backoff_ms: number }[]>(
        "select event_id, attempts, last_error, (extract(epoch from next_attempt_at - created_at) * 1000)::float8 as backoff_ms from outbox",
      );
    expect(rows.map((r) => [r.event_id, r.attempts])).toEqual([[refused, 1]]);
    expect(rows[0]!.last_error).toBeTruthy();
    // First retry 200 ms after the pass (which began a little after the row was written).
    expect(rows[0]!.backoff_ms).toBeGreaterThanOrEqual(200);
    expect(rows[0]!.backoff_ms).toBeLessThan(5_000);

    const info = await kit.bus.jsm.streams.info(streamName(namespace, "reservation"));
    expect(info.state.messages).toBe(50);
    // Published again (a relay that died before the delete, its lease run out): JetStream drops the repeats by message id.
    await restoreOutboxCopy("now()", [refused]);
    expect(await relay.relayOnce()).toBe(50);
    expect((await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages).toBe(50);
  });

  it("two relays at once share the due rows: each row is claimed by one of them, published once, until its lease runs out", async () => {
    await kit.db.em.fork().execute("delete from outbox");
    const transactor = new Transactor(kit.db, namespace, () => undefined);
    const events = Array.from({ length: 80 }, (_, i) => newEvent(ReservationPlacedSchema, { reservationId: `s${i}`, customerId: "kit", amount: 1n }));
    await transactor.run(async (tx) => {
      for (const event of events) await tx.publish(event);
    });
    await keepCopyOfOutbox();
    const before = (await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages;
    const relays = [
      new OutboxRelay({ db: kit.db, bus: kit.bus, logger, batchSize: 64 }),
      new OutboxRelay({ db: kit.db, bus: kit.bus, logger, batchSize: 64 }),
    ];
    const published = await Promise.all(relays.map((relay) => relay.relayOnce()));
    const rest = await Promise.all(relays.map((relay) => relay.relayOnce()));
    expect(published[0]! + published[1]! + rest[0]! + rest[1]!).toBe(80);
    expect(await outboxRows()).toBe(0);
    expect((await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages).toBe(before + 80);

    // Rows claimed by a relay that died before deleting them (as its claim leaves them): nobody takes them until the
    // lease runs out; then they go again, and JetStream drops the repeats.
    await restoreOutboxCopy("now() + interval '400 milliseconds'");
    expect(await relays[0]!.relayOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await relays[0]!.relayOnce()) + (await relays[1]!.relayOnce())).toBe(80);
    expect((await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages).toBe(before + 80);
  });

  it("a running relay deletes what it published before it waits, not on its next pass", async () => {
    await kit.db.em.fork().execute("delete from outbox");
    // A minute between idle passes: only the delete before waiting can have removed the rows within the test.
    const relay = new OutboxRelay({ db: kit.db, bus: kit.bus, logger, batchSize: 64, pollMs: 60_000 });
    const transactor = new Transactor(kit.db, namespace, () => relay.wake());
    const before = (await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages;
    relay.start();
    try {
      for (let round = 0; round < 3; round++) {
        await transactor.run(async (tx) => {
          for (let i = 0; i < 10; i++)
            await tx.publish(newEvent(ReservationPlacedSchema, { reservationId: `w${round}-${i}`, customerId: "kit", amount: 1n }));
        });
        await vi.waitFor(
          async () => {
            expect((await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages).toBe(before + 10 * (round + 1));
            expect(await outboxRows()).toBe(0);
          },
          { timeout: 10_000, interval: 50 },
        );
      }
      expect((await kit.bus.jsm.streams.info(streamName(namespace, "reservation"))).state.messages).toBe(before + 30);
    } finally {
      await relay.stop();
    }
  });
});
