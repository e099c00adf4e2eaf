import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { TestSystem, waitFor } from "../support/system.js";
import { grpc, type GrpcError, type ResponseOf, type ServiceClient } from "../support/grpc-clients.js";
import { holdRowLock, lockWaiters, type RowLock } from "../support/row-locks.js";

/**
 * A placement whose completion is held up past the stale threshold (a pool
 * queue, a PostgreSQL stall) races an abort: a retry with the same key, or the
 * sweeper. Whoever wins the reservation row decides; seats are released only
 * for a placement that will never complete, and a completion that lost never
 * announces a reservation. The hold-up is made deterministic by locking rows
 * from the test's own connections.
 */
describe("an abort racing a completing placement", () => {
  const STALE_MS = 1_500;
  const TOTAL_SEATS = 30;
  let system: TestSystem;
  let carol: string;
  let reservation: ServiceClient<"reservation">;
  let musical: ServiceClient<"musical">;

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ["musical", "reservation"],
      gateway: false,
      env: {
        PLACEMENT_STALE_MS: String(STALE_MS),
        // Long enough for a seat call held inside musical (by a test's lock) to outlive the stale threshold.
        MUSICAL_TIMEOUT_MS: "10000",
      },
    });
    const manager = await system.token("manager", "manager");
    carol = await system.token("carol");
    reservation = system.client("reservation");
    musical = system.client("musical");
    await musical.registerMusical({ musicalId: "race", name: "Race", totalSeats: TOTAL_SEATS, seatPrice: "50000" }, manager);
  });
  afterAll(async () => {
    reservation?.close();
    musical?.close();
    await system?.stop();
  });

  const place = (idempotencyKey: string, seats: number) =>
    settle(reservation.placeReservation({ musicalId: "race", seats, idempotencyKey }, carol, 60_000));

  /** Locks the musical's row, so a seat call waits inside musical until released. */
  const holdSeatCalls = () => holdRowLock(system.databaseUrl("musical"), "select 1 from musicals where musical_id = 'race' for update");

  async function placingRowOf(idempotencyKey: string): Promise<string> {
    let id = "";
    await waitFor(
      async () => {
        const rows = await system.sql<{ reservation_id: string }>(
          "reservation",
          "select reservation_id from reservations where idempotency_key = $1",
          [idempotencyKey],
        );
        id = rows[0]?.reservation_id ?? "";
        return id !== "";
      },
      10_000,
      `PLACING row of ${idempotencyKey}`,
      10,
    );
    return id;
  }

  const lockReservationRow = (reservationId: string) =>
    holdRowLock(system.databaseUrl("reservation"), "select 1 from reservations where reservation_id = $1 for update", [reservationId]);

  const waiters = () => lockWaiters(system.databaseUrl("reservation"));

  async function holdStatus(reservationId: string): Promise<string | undefined> {
    const rows = await system.sql<{ status: string }>("musical", "select status from seat_holds where reservation_id = $1", [reservationId]);
    return rows[0]?.status;
  }

  /**
   * Retries with the same key until the service stops answering "still in
   * progress" (the earlier attempt has gone stale), i.e. until the retry really
   * tries to resolve the earlier attempt; returns that call, settled or not.
   */
  async function retryPastInProgress(idempotencyKey: string, seats: number): Promise<{ outcome: Promise<Outcome> }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const attempt = place(idempotencyKey, seats);
      const early = await Promise.race([attempt, sleep(1_000).then(() => undefined)]);
      const inProgress = early && "error" in early && early.error.code === grpc.status.UNAVAILABLE && /still in progress/.test(early.error.details);
      if (!inProgress || Date.now() > deadline) return { outcome: attempt }; // wrapped: an async function would await it
      await sleep(200);
    }
  }

  /** No placement left unresolved, and musical agrees with reservation seat for seat. */
  async function expectSeatsAgree(): Promise<void> {
    await waitFor(
      async () =>
        (await system.sql("reservation", "select 1 from reservations where status not in ('RESERVED', 'PAID', 'CANCELLED', 'REJECTED')")).length ===
        0,
      30_000,
      "every placement resolved",
    );
    const placed = await system.sql<{ reservation_id: string; seats: number }>(
      "reservation",
      "select reservation_id, seats from reservations where status in ('RESERVED', 'PAID') order by reservation_id",
    );
    const held = await system.sql<{ reservation_id: string; seats: number }>(
      "musical",
      "select reservation_id, seats from seat_holds where status = 'HELD' order by reservation_id",
    );
    // Seats are held for exactly the placed reservations: none released for a placed one, none held for an aborted one.
    expect(held).toEqual(placed);
    const [{ reservable }] = (await system.sql<{ reservable: number }>(
      "musical",
      "select reservable_seats as reservable from musicals where musical_id = 'race'",
    )) as [{ reservable: number }];
    expect(reservable).toBe(TOTAL_SEATS - placed.reduce((sum, r) => sum + r.seats, 0));
    // ReservationPlaced (which payment charges) was announced for exactly the placed reservations.
    const announced = await system.publishedEvents(ReservationPlacedSchema);
    expect(announced.map((event) => event.reservationId).sort()).toEqual(placed.map((r) => r.reservation_id));
  }

  it("completion holds its place in line: a same-key retry and the sweeper wait instead of releasing the seats", async () => {
    let rowLock: RowLock | undefined;
    const seatCalls = await holdSeatCalls();
    const first = place("slow-1", 2);
    let placingId: string;
    try {
      placingId = await placingRowOf("slow-1");
      rowLock = await lockReservationRow(placingId);
    } finally {
      await seatCalls.release();
    }
    try {
      // The seats are taken at musical; the completion now waits for the reservation row.
      await waitFor(async () => (await holdStatus(placingId)) === "HELD" && (await waiters()) >= 1, 10_000, "completion waiting for its row");
      const retry = await retryPastInProgress("slow-1", 2);
      await sleep(2_500); // the sweeper (every 2 s) runs meanwhile
      await rowLock.release();
      rowLock = undefined;
      const outcomes = [await first, await retry.outcome];
      console.log(`placement race (completion first): ${outcomes.map(describeOutcome).join(" / ")}`);
      for (const outcome of outcomes) {
        if ("error" in outcome) {
          expect(grpc.status[outcome.error.code]).toBe("UNAVAILABLE");
          expect(outcome.error.details).toMatch(/retry/);
        } else {
          expect(outcome.value.reservation.reservationId).toBe(placingId);
          expect(outcome.value.reservation.status).toBe("RESERVATION_STATUS_RESERVED");
        }
      }
    } finally {
      await rowLock?.release();
    }
    await expectSeatsAgree();
  }, 120_000);

  it("an abort first in line wins: the completion that lost announces nothing and answers UNAVAILABLE; the retry places afresh", async () => {
    let rowLock: RowLock | undefined;
    let seatCalls: RowLock | undefined = await holdSeatCalls();
    const first = place("slow-2", 3);
    try {
      const placingId = await placingRowOf("slow-2");
      rowLock = await lockReservationRow(placingId);
      // The retry queues for the row while the first attempt is still inside musical...
      const retry = await retryPastInProgress("slow-2", 3);
      await waitFor(async () => (await waiters()) >= 1, 10_000, "the retry's abort waiting for the row");
      // ...then the seat call returns and the completion queues behind it.
      await seatCalls.release();
      seatCalls = undefined;
      await waitFor(async () => (await waiters()) >= 2, 10_000, "the completion waiting behind the abort");
      await rowLock.release();
      rowLock = undefined;

      const lost = await first;
      console.log(`placement race (abort first): first ${describeOutcome(lost)}`);
      if (!("error" in lost)) throw new Error(`the completion that lost the row answered ${lost.value.reservation.status}`);
      expect(grpc.status[lost.error.code]).toBe("UNAVAILABLE");
      expect(lost.error.details).toMatch(/retry/);

      const again = await retry.outcome;
      const placed = "value" in again ? again.value : await place("slow-2", 3).then(unwrap);
      expect(placed.reservation.reservationId).not.toBe(placingId);
      expect(placed.reservation.status).toBe("RESERVATION_STATUS_RESERVED");
      expect(await holdStatus(placingId)).toBe("RELEASED");
    } finally {
      await seatCalls?.release();
      await rowLock?.release();
    }
    await expectSeatsAgree();
  }, 120_000);

  it("an abort interrupted after it won the row (a crash before the release) is finished by the sweeper", async () => {
    const reservationId = await abortingLeftBehind("crashed-1", 4, "1 minute");
    await waitFor(
      async () =>
        (await holdStatus(reservationId)) === "RELEASED" &&
        (await system.sql("reservation", "select 1 from reservations where reservation_id = $1", [reservationId])).length === 0,
      20_000,
      "the sweeper finishing the abort",
    );
    await expectSeatsAgree();
  });

  it("a retry with the key of an unfinished abort finishes it first, then places afresh", async () => {
    const reservationId = await abortingLeftBehind("crashed-2", 1, "0 seconds");
    const placed = unwrap(await place("crashed-2", 1));
    expect(placed.reservation.reservationId).not.toBe(reservationId);
    expect(placed.reservation.status).toBe("RESERVATION_STATUS_RESERVED");
    expect(await holdStatus(reservationId)).toBe("RELEASED");
    await expectSeatsAgree();
  });

  /** The state a crash leaves after an abort won the row but before musical was told: seats taken, row ABORTING. */
  async function abortingLeftBehind(idempotencyKey: string, seats: number, age: string): Promise<string> {
    const reservationId = randomUUID();
    const service = await system.token("reservation", "service");
    await musical.reserveSeats({ reservationId, musicalId: "race", seats, customerId: "carol" }, service);
    await system.sql(
      "reservation",
      `insert into reservations (reservation_id, customer_id, idempotency_key, musical_id, seats, status, payment_state, placed_at, updated_at)
       values ($1, 'carol', $2, 'race', $3, 'ABORTING', 'PENDING', now() - $4::interval, now() - $4::interval)`,
      [reservationId, idempotencyKey, seats, age],
    );
    return reservationId;
  }
});

type Outcome = { value: ResponseOf<"reservation", "placeReservation"> } | { error: GrpcError };

function settle(call: Promise<ResponseOf<"reservation", "placeReservation">>): Promise<Outcome> {
  return call.then(
    (value) => ({ value }),
    (error: GrpcError) => ({ error }),
  );
}

function unwrap(outcome: Outcome): ResponseOf<"reservation", "placeReservation"> {
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

function describeOutcome(outcome: Outcome): string {
  return "error" in outcome ? `${grpc.status[outcome.error.code]} "${outcome.error.details}"` : `placed ${outcome.value.reservation.reservationId}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
