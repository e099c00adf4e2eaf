import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { migrate, openDatabase, type Database } from "#kit/database.js";
import { Transactor } from "#kit/outbox.js";
import { entities } from "../adapters/schema.js";
import { migrations } from "../adapters/migrations.js";
import { ChangeFeed } from "../adapters/change-feed.js";
import type { Fact } from "../domain/mypage.js";
import { MyPage, type IncomingFact } from "./mypage.js";

/**
 * MyPage records the facts a consumer took together in one transaction with a few statements for the whole batch.
 * Real PostgreSQL and NATS: several facts of one reservation, several reservations of one customer and other
 * customers in one transaction, duplicates, and concurrent transactions for the same customer.
 */
describe("MyPage records a transaction's facts together", () => {
  const namespace = `m${randomBytes(4).toString("hex")}`;
  const infra = inject("infra");
  const database = `${namespace}_customercenter`;
  let db: Database;
  let nc: NatsConnection;
  let transactor: Transactor;
  let myPage: MyPage;
  let feed: ChangeFeed;
  let sequence = 0;

  beforeAll(async () => {
    const url = new URL(infra.postgresUrl);
    url.pathname = `/${database}`;
    db = await openDatabase({ url: url.toString(), entities, migrations });
    await migrate(db);
    nc = await connect({ servers: infra.natsUrl });
    feed = new ChangeFeed(nc, namespace, pino({ level: "silent" }));
    feed.start();
    transactor = new Transactor(db, namespace, () => undefined);
    myPage = new MyPage(transactor, feed);
  });

  afterAll(async () => {
    await feed?.stop();
    await nc?.close();
    await db?.close(true);
    const admin = await openDatabase({ url: infra.postgresUrl, entities: [], migrations: [] });
    await admin.em.getConnection().execute(`drop database if exists "${database}" with (force)`);
    await admin.close(true);
  });

  function fact(customerId: string, reservationId: string, body: Fact, eventId = `e${++sequence}`): IncomingFact {
    return {
      eventId,
      eventType: `outerpark.test.${body.type}`,
      reservationId,
      customerId,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
      fact: body,
    };
  }
  const placed = (seats: number): Fact => ({ type: "ReservationPlaced", musicalId: "m1", musicalName: "Show", seats, amount: BigInt(seats) * 1000n });

  it("folds every fact of the batch into its reservation's view; each changed view of a customer gets a version of its own", async () => {
    const announced: string[] = [];
    const stopAlice = feed.listen("alice", () => announced.push("alice"));
    const stopBob = feed.listen("bob", () => announced.push("bob"));
    await transactor.run(async (tx) => {
      myPage.record(tx, fact("alice", "r1", placed(2)));
      myPage.record(tx, fact("alice", "r1", { type: "PaymentApproved", amount: 2000n }));
      myPage.record(tx, fact("alice", "r1", { type: "ReservationConfirmed" }));
      myPage.record(tx, fact("alice", "r2", placed(1)));
      myPage.record(tx, fact("bob", "r3", placed(4)));
    });
    const alice = await myPage.page("alice", undefined, 10);
    expect(alice.views.map((v) => [v.reservation.reservationId, v.reservation.reservationStatus, v.reservation.paymentState])).toEqual([
      ["r2", "RESERVED", "PENDING"],
      ["r1", "PAID", "APPROVED"],
    ]);
    expect(alice.views.find((v) => v.reservation.reservationId === "r1")!.history.map((h) => h.fact.type)).toEqual([
      "ReservationPlaced",
      "PaymentApproved",
      "ReservationConfirmed",
    ]);
    // A watcher that has seen a version has seen every change up to it: two views never share one.
    expect(alice.views.map((v) => v.reservation.version).sort()).toEqual([1, 2]);
    expect(alice.latestVersion).toBe(2);
    const bob = await myPage.page("bob", undefined, 10);
    expect(bob.views.map((v) => [v.reservation.reservationId, v.reservation.seats, v.reservation.amount])).toEqual([["r3", 4, 4000n]]);
    await expect.poll(() => [...announced].sort()).toEqual(["alice", "bob"]);
    stopAlice();
    stopBob();
  });

  it("skips facts it has, and a later batch moves only the views it touched", async () => {
    const before = await myPage.page("alice", undefined, 10);
    const approvedId = before.views.find((v) => v.reservation.reservationId === "r1")!.history[1]!.eventId;
    await transactor.run(async (tx) => {
      myPage.record(tx, fact("alice", "r1", { type: "PaymentApproved", amount: 2000n }, approvedId)); // a duplicate
      myPage.record(tx, fact("alice", "r2", { type: "ReservationCancelled" }));
    });
    const changed = (await myPage.changesAfter(new Map([["alice", 2]]))).get("alice") ?? [];
    expect(changed.map((v) => [v.reservation.reservationId, v.reservation.reservationStatus, v.reservation.version])).toEqual([
      ["r2", "CANCELLED", 4],
    ]);
    const r1 = (await myPage.page("alice", undefined, 10)).views.find((v) => v.reservation.reservationId === "r1")!;
    expect(r1.history).toHaveLength(3);
    expect(r1.reservation.version).toBe(1); // only the duplicate came for it: unchanged
  });

  it("writes nothing when the transaction rolls back", async () => {
    await expect(
      transactor.run(async (tx) => {
        myPage.record(tx, fact("carol", "r9", placed(1)));
        throw new Error("the handler of a later event failed");
      }),
    ).rejects.toThrow("later event failed");
    expect((await myPage.page("carol", undefined, 10)).views).toEqual([]);
  });

  it("concurrent batches for the same customers neither deadlock nor lose a fact", async () => {
    const customers = ["dan", "eve", "fay"];
    // Each transaction touches all three customers, in a different order: their counters are locked in one order.
    await Promise.all(
      Array.from({ length: 6 }, (_, t) =>
        transactor.run(async (tx) => {
          for (const customerId of t % 2 ? [...customers].reverse() : customers) {
            myPage.record(tx, fact(customerId, `${customerId}-${t}`, placed(1)));
            myPage.record(tx, fact(customerId, `${customerId}-shared`, { type: "SeatsReleased", seats: 0 }));
          }
        }),
      ),
    );
    for (const customerId of customers) {
      const page = await myPage.page(customerId, undefined, 20);
      expect(page.views.map((v) => v.reservation.reservationId).sort()).toEqual(Array.from({ length: 6 }, (_, t) => `${customerId}-${t}`).sort());
      // Six transactions, two reservations each (one of them shared and never placed): twelve numbers.
      expect(page.latestVersion).toBeLessThanOrEqual(12);
      expect(new Set(page.views.map((v) => v.reservation.version)).size).toBe(6);
    }
  });
});
