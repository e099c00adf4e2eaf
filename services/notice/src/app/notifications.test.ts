import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { pino } from "pino";
import { migrate, openDatabase, type Database } from "#kit/database.js";
import { Transactor } from "#kit/outbox.js";
import { NotificationSentSchema } from "#gen/outerpark/notice/v1/events_pb.js";
import type { NotificationRecord } from "../domain/notification.js";
import type { NotificationChannel } from "../adapters/channels.js";
import { entities } from "../adapters/schema.js";
import { migrations } from "../adapters/migrations.js";
import * as store from "../adapters/notification-store.js";
import { Notifications } from "./notifications.js";

/**
 * The dispatcher leases what it sends, delivers, then marks it sent with its NotificationSent in one statement.
 * Real PostgreSQL: two dispatchers at once send each notification once; a failed delivery, or a pass that died
 * after leasing, is sent again only when its lease runs out; what a transaction records goes in at its commit.
 */
describe("notice dispatch", () => {
  const infra = inject("infra");
  const database = `n${randomBytes(4).toString("hex")}_notice`;
  const logger = pino({ level: "silent" });
  let db: Database;
  let transactor: Transactor;
  let sequence = 0;

  /** A channel that records what it delivered; `refuse` names notifications it fails once. */
  function channel(refuse = new Set<string>()): NotificationChannel & { delivered: string[] } {
    const delivered: string[] = [];
    return {
      name: "log",
      delivered,
      async deliver(n: NotificationRecord) {
        if (refuse.delete(n.reservationId)) throw new Error("channel down");
        delivered.push(n.reservationId);
      },
    };
  }

  async function record(notifications: Notifications, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => `r${++sequence}`);
    await transactor.run(async (tx) => {
      for (const reservationId of ids) notifications.enqueue(tx, { customerId: "c1", reservationId, kind: "PAYMENT_APPROVED", message: "paid" });
    });
    return ids;
  }

  const sentEvents = async () =>
    (await db.em.fork().execute<{ payload: Buffer }[]>("select payload from outbox where event_type = ?", [NotificationSentSchema.typeName])).map(
      (row) => fromBinary(NotificationSentSchema, row.payload).reservationId,
    );
  const unsent = async () =>
    (await db.em.fork().execute<{ reservation_id: string }[]>("select reservation_id from notifications where sent_at is null")).map(
      (row) => row.reservation_id,
    );

  beforeAll(async () => {
    const url = new URL(infra.postgresUrl);
    url.pathname = `/${database}`;
    db = await openDatabase({ url: url.toString(), entities, migrations });
    await migrate(db);
    transactor = new Transactor(db, "n", () => undefined);
  });

  beforeEach(async () => {
    await db.em.fork().execute("delete from notifications");
    await db.em.fork().execute("delete from outbox");
  });

  afterAll(async () => {
    await db?.close(true);
    const admin = await openDatabase({ url: infra.postgresUrl, entities: [], migrations: [] });
    await admin.em.getConnection().execute(`drop database if exists "${database}" with (force)`);
    await admin.close(true);
  });

  it("two dispatchers at once deliver each notification once and announce it once", async () => {
    const [a, b] = [channel(), channel()];
    const first = new Notifications(transactor, a, logger);
    const second = new Notifications(transactor, b, logger);
    const ids = await record(first, 80);
    let sent = 0;
    while ((await unsent()).length > 0) {
      const counts = await Promise.all([first.dispatchOnce(16), second.dispatchOnce(16)]);
      sent += counts[0] + counts[1];
    }
    expect(sent).toBe(80);
    expect([...a.delivered, ...b.delivered].sort()).toEqual([...ids].sort());
    expect((await sentEvents()).sort()).toEqual([...ids].sort());
  });

  it("a failed delivery leaves its notification unsent, not announced, and leased until the lease runs out", async () => {
    const refusals = new Set<string>();
    const refusing = channel(refusals);
    const dispatcher = new Notifications(transactor, refusing, logger, 1_000, 400);
    const [ok, failing] = await record(dispatcher, 2);
    refusals.add(failing!);

    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(refusing.delivered).toEqual([ok]);
    expect(await unsent()).toEqual([failing]);
    expect(await sentEvents()).toEqual([ok]);
    expect(await dispatcher.dispatchOnce()).toBe(0); // still leased
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(refusing.delivered).toEqual([ok, failing]);
    expect((await sentEvents()).sort()).toEqual([ok, failing].sort());
  });

  it("notifications leased by a pass that died are sent when the lease runs out, once", async () => {
    const delivered = channel();
    const notifications = new Notifications(transactor, delivered, logger, 1_000, 400);
    const ids = await record(notifications, 3);
    await transactor.autocommit((em) => store.leaseUnsent(em, 10, 400)); // the pass that died after leasing them
    expect(await notifications.dispatchOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await notifications.dispatchOnce()).toBe(3);
    expect([...delivered.delivered].sort()).toEqual([...ids].sort());
    expect(await notifications.dispatchOnce()).toBe(0);
    expect((await sentEvents()).sort()).toEqual([...ids].sort());
  });

  it("a transaction's notifications are recorded at its commit, once per reservation and kind, and nothing on rollback", async () => {
    const notifications = new Notifications(transactor, channel(), logger);
    await transactor.run(async (tx) => {
      notifications.enqueue(tx, { customerId: "c1", reservationId: "same", kind: "PAYMENT_APPROVED", message: "paid" });
      notifications.enqueue(tx, { customerId: "c1", reservationId: "same", kind: "PAYMENT_APPROVED", message: "paid again" });
      notifications.enqueue(tx, { customerId: "c1", reservationId: "same", kind: "RESERVATION_CANCELLED", message: "cancelled" });
      expect(await unsent()).toEqual([]); // nothing written before the commit
    });
    await expect(
      transactor.run(async (tx) => {
        notifications.enqueue(tx, { customerId: "c1", reservationId: "rolled-back", kind: "PAYMENT_APPROVED", message: "paid" });
        throw new Error("the handler failed");
      }),
    ).rejects.toThrow("the handler failed");
    const rows = await db.em
      .fork()
      .execute<{ reservation_id: string; kind: string; message: string }[]>("select reservation_id, kind, message from notifications order by kind");
    expect(rows).toEqual([
      { reservation_id: "same", kind: "PAYMENT_APPROVED", message: "paid" },
      { reservation_id: "same", kind: "RESERVATION_CANCELLED", message: "cancelled" },
    ]);
  });
});
