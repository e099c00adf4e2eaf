import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, type ServiceClient } from "../support/grpc-clients.js";

/**
 * Reservation's synchronous call to musical has a deadline and a breaker: with
 * musical down or hanging, PlaceReservation fails fast with UNAVAILABLE and
 * leaves nothing half-done; a retry with the same key after recovery
 * succeeds exactly once.
 */
describe("the synchronous seat call", () => {
  let system: TestSystem;
  let manager: string;
  let frank: string;
  let reservation: ServiceClient<"reservation">;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical", "reservation"], gateway: false, env: { MUSICAL_TIMEOUT_MS: "1000" } });
    manager = await system.token("manager", "manager");
    frank = await system.token("frank");
    reservation = system.client("reservation");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "company", name: "Company", totalSeats: 20, seatPrice: "40000" }, manager);
    musical.close();
  });
  afterAll(async () => {
    reservation?.close();
    await system?.stop();
  });

  const reservableSeats = async () =>
    (await system.sql<{ n: number }>("musical", "select reservable_seats as n from musicals where musical_id = 'company'"))[0]!.n;
  const heldSeats = async () =>
    (await system.sql<{ n: number }>("musical", "select coalesce(sum(seats), 0)::int as n from seat_holds where status = 'HELD'"))[0]!.n;

  it("musical hanging (SIGSTOP): UNAVAILABLE within the deadline, then nothing left once it recovers", async () => {
    const musicalProcess = system.replicas.find((r) => r.service === "musical")!.process!;
    musicalProcess.kill("SIGSTOP");
    try {
      const started = Date.now();
      const error = await expectStatus(
        reservation.placeReservation({ musicalId: "company", seats: 2, idempotencyKey: "hang-1" }, frank, 15_000),
        grpc.status.UNAVAILABLE,
      );
      const elapsed = Date.now() - started;
      console.log(`seat call: musical hanging → UNAVAILABLE after ${elapsed} ms ("${error.details}")`);
      expect(error.details).toMatch(/retry/);
      expect(elapsed).toBeLessThan(3_000); // deadline 1 s, plus a loaded machine's slack
    } finally {
      musicalProcess.kill("SIGCONT");
    }
    // The seats the hung call may have taken are returned (or barred) by the abort; no unfinished placement survives.
    await waitFor(
      async () => (await system.sql("reservation", "select 1 from reservations where status in ('PLACING', 'ABORTING')")).length === 0,
      30_000,
      "placement resolved",
    );
    await waitFor(async () => (await heldSeats()) === 0 && (await reservableSeats()) === 20, 20_000, "no seat held");
  });

  it("musical down: fails fast once the breaker is open; a retry with the same key after recovery succeeds exactly once", async () => {
    await system.stopReplica("musical", 0, "SIGKILL");
    const timings: number[] = [];
    for (let i = 0; i < 8; i++) {
      const started = Date.now();
      await expectStatus(
        reservation.placeReservation({ musicalId: "company", seats: 1, idempotencyKey: `down-${i}` }, frank),
        grpc.status.UNAVAILABLE,
      );
      timings.push(Date.now() - started);
    }
    console.log(`seat call: musical down → UNAVAILABLE in ${timings.join(", ")} ms`);
    expect(Math.max(...timings.slice(-3))).toBeLessThan(500); // breaker open: no waiting on a dead host
    const [leftovers] = await system.sql<{ n: number }>(
      "reservation",
      "select count(*)::int as n from reservations where status not in ('PLACING', 'ABORTING')",
    );
    expect(leftovers!.n).toBe(0);

    await system.startReplica("musical", 0);
    const request = { musicalId: "company", seats: 1, idempotencyKey: "down-0" };
    const placed = await waitForValue(() => reservation.placeReservation(request, frank), 30_000);
    const again = await reservation.placeReservation(request, frank);
    expect(again.reservation.reservationId).toBe(placed.reservation.reservationId);
    await waitFor(
      async () => (await system.sql("reservation", "select 1 from reservations where status in ('PLACING', 'ABORTING')")).length === 0,
      30_000,
      "aborted placements swept",
    );
    const [rows] = await system.sql<{ n: number }>("reservation", "select count(*)::int as n from reservations");
    expect(rows!.n).toBe(1);
    expect(await heldSeats()).toBe(1);
    expect(await reservableSeats()).toBe(19);
  });
});

/** Retries a call until it succeeds (the breaker needs a moment to let a trial call through). */
async function waitForValue<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
