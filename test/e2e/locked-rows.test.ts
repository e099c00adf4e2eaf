import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { grpc, type GrpcError, type ResponseOf, type ServiceClient } from "../support/grpc-clients.js";
import { holdRowLock } from "../support/row-locks.js";

/**
 * A row locked by another transaction (a slow statement, a replica's work,
 * an operator in psql) must be waited for, never read as missing: the
 * services' locked reads are FOR UPDATE, not FOR UPDATE SKIP LOCKED.
 */
describe("a row locked elsewhere is waited for, not skipped", () => {
  const HOLD_MS = 3_000;
  let system: TestSystem;
  let erin: string;
  let reservation: ServiceClient<"reservation">;

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ["musical", "reservation", "payment"],
      // Two deliveries, so an event wrongly failed by a skipped row is dead-lettered within the lock's hold.
      env: { CONSUMER_MAX_DELIVERIES: "2", PAYMENT_LEASE_MS: "2000" },
    });
    const manager = await system.token("manager", "manager");
    erin = await system.token("erin");
    reservation = system.client("reservation");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "locks", name: "Locks", totalSeats: 50, seatPrice: "30000" }, manager);
    musical.close();
  });
  afterAll(async () => {
    reservation?.close();
    await system?.stop();
  });

  const lockReservation = (reservationId: string) =>
    holdRowLock(system.databaseUrl("reservation"), "select 1 from reservations where reservation_id = $1 for update", [reservationId]);
  const statusOf = async (reservationId: string): Promise<string> => (await reservation.getReservation({ reservationId }, erin)).reservation.status;
  const deadLetters = () => system.streamMessageCount("deadletter");

  async function placeAndPay(idempotencyKey: string): Promise<string> {
    const placed = (await reservation.placeReservation({ musicalId: "locks", seats: 1, idempotencyKey }, erin)).reservation;
    await waitFor(async () => (await statusOf(placed.reservationId)) === "RESERVATION_STATUS_PAID", 30_000, "paid");
    return placed.reservationId;
  }

  it("CancelReservation of a PAID reservation whose row is locked waits for the lock, then cancels", async () => {
    const reservationId = await placeAndPay("cancel-locked");
    const lock = await lockReservation(reservationId);
    const started = Date.now();
    let cancel: Promise<{ value: ResponseOf<"reservation", "cancelReservation"> } | { error: GrpcError }>;
    try {
      cancel = reservation.cancelReservation({ reservationId }, erin, 30_000).then(
        (value) => ({ value }),
        (error: GrpcError) => ({ error }),
      );
      const early = await Promise.race([cancel, sleep(HOLD_MS).then(() => undefined)]);
      if (early)
        throw new Error(`answered while the row was locked: ${"error" in early ? `${grpc.status[early.error.code]} ${early.error.details}` : "ok"}`);
    } finally {
      await lock.release();
    }
    const outcome = await cancel;
    if ("error" in outcome) throw new Error(`cancel failed after the lock: ${grpc.status[outcome.error.code]} ${outcome.error.details}`);
    console.log(`locked row: CancelReservation waited ${Date.now() - started} ms for the lock, then cancelled`);
    expect(outcome.value.reservation.status).toBe("RESERVATION_STATUS_CANCELLED");
    expect(await statusOf(reservationId)).toBe("RESERVATION_STATUS_CANCELLED");
  });

  it("PaymentApproved for a reservation whose row is locked waits for the lock, then marks it PAID; nothing dead-lettered", async () => {
    await system.setGateway({ latencyMs: 1_000 }); // time to lock the row before the payment is approved
    try {
      const placed = (await reservation.placeReservation({ musicalId: "locks", seats: 1, idempotencyKey: "approve-locked" }, erin)).reservation;
      const lock = await lockReservation(placed.reservationId);
      try {
        expect(await statusOf(placed.reservationId)).toBe("RESERVATION_STATUS_RESERVED");
        await waitFor(
          async () =>
            (await system.sql("payment", "select 1 from payments where reservation_id = $1 and status = 'APPROVED'", [placed.reservationId]))
              .length === 1,
          20_000,
          "payment approved",
        );
        await sleep(HOLD_MS); // PaymentApproved reaches reservation meanwhile and meets the locked row
      } finally {
        await lock.release();
      }
      await waitFor(async () => (await statusOf(placed.reservationId)) === "RESERVATION_STATUS_PAID", 20_000, "paid after the lock");
      expect(await deadLetters()).toBe(0);
    } finally {
      await system.setGateway({ latencyMs: 0 });
    }
  });

  it("a charge answered while its payment row is locked is recorded after the lock, not lost and sent again", async () => {
    await system.setGateway({ latencyMs: 1_000 });
    try {
      const before = (await system.gatewayStats()).chargeRequests;
      const placed = (await reservation.placeReservation({ musicalId: "locks", seats: 1, idempotencyKey: "charge-locked" }, erin)).reservation;
      await waitFor(
        async () =>
          (await system.sql("payment", "select 1 from payments where reservation_id = $1 and charge_attempted", [placed.reservationId])).length === 1,
        20_000,
        "charge sent",
      );
      const lock = await holdRowLock(system.databaseUrl("payment"), "select 1 from payments where reservation_id = $1 for update", [
        placed.reservationId,
      ]);
      try {
        await sleep(HOLD_MS); // the charge is answered meanwhile, and the 2 s lease runs out
      } finally {
        await lock.release();
      }
      await waitFor(async () => (await statusOf(placed.reservationId)) === "RESERVATION_STATUS_PAID", 20_000, "paid after the lock");
      await sleep(1_000); // a second charge request, if any, would be on its way
      expect((await system.gatewayStats()).chargeRequests - before).toBe(1);
      expect(await deadLetters()).toBe(0);
    } finally {
      await system.setGateway({ latencyMs: 0 });
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
