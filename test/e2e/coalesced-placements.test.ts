import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { TestSystem } from "../support/system.js";
import { grpc, type GrpcError } from "../support/grpc-clients.js";

/**
 * Placements that arrive together share their statements at reservation (one insert of the PLACING rows, one
 * completion with every ReservationPlaced). Two reservation replicas do so independently against one database, with
 * twin calls (the same customer and idempotency key) among them on both replicas at once: each key still gets exactly
 * one reservation, each reservation exactly one event, and seats taken at musical match the reservations.
 */
describe("coalesced placements over two reservation replicas", () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical", "reservation"], replicas: 2, gateway: false });
  });
  afterAll(async () => system?.stop());

  it("600 concurrent placements, every fifth sent twice at once: one reservation and one event per key, seats match", async () => {
    const manager = await system.token("manager", "manager");
    await system.client("musical").registerMusical({ musicalId: "crowd", name: "Crowd", totalSeats: 5_000, seatPrice: "1000" }, manager);
    const customers = await Promise.all(Array.from({ length: 60 }, (_, i) => system.token(`crowd-${i}`)));
    const replicas = [system.client("reservation", 0), system.client("reservation", 1)];

    const requests = Array.from({ length: 600 }, (_, i) => ({ customer: i % 60, key: `k-${i}`, seats: 1 + (i % 3) }));
    const calls = requests.flatMap((request, i) => {
      const send = (replica: number) =>
        replicas[replica]!.placeReservation(
          { musicalId: "crowd", seats: request.seats, idempotencyKey: request.key },
          customers[request.customer]!,
          30_000,
        ).then(
          (answer) => ({ request, reservationId: answer.reservation!.reservationId }),
          (error: GrpcError) => ({ request, code: grpc.status[error.code], details: error.details }),
        );
      return i % 5 === 0 ? [send(0), send(1)] : [send(i % 2)];
    });
    const answers = await Promise.all(calls);
    for (const client of replicas) client.close();

    // A twin may be told its other half is still in progress; nothing else goes wrong.
    const refusals = answers.filter((a) => "code" in a);
    for (const refusal of refusals) expect(`${refusal.code}: ${refusal.details}`).toMatch(/^UNAVAILABLE: .*still in progress/);
    expect(refusals.length).toBeLessThanOrEqual(120);

    const rows = await system.sql<{ reservation_id: string; customer_id: string; idempotency_key: string; seats: number; status: string }>(
      "reservation",
      "select reservation_id, customer_id, idempotency_key, seats, status from reservations where musical_id = 'crowd'",
    );
    expect(rows).toHaveLength(600);
    expect(new Set(rows.map((r) => `${r.customer_id}/${r.idempotency_key}`)).size).toBe(600);
    expect(rows.every((r) => r.status === "RESERVED")).toBe(true);
    const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
    for (const answer of answers) {
      if (!("reservationId" in answer)) continue;
      const row = byKey.get(answer.request.key)!;
      expect(answer.reservationId).toBe(row.reservation_id);
      expect(row.customer_id).toBe(`crowd-${answer.request.customer}`);
      expect(row.seats).toBe(answer.request.seats);
    }

    const announced = await system.publishedEvents(ReservationPlacedSchema);
    expect(announced.map((e) => e.reservationId).sort()).toEqual(rows.map((r) => r.reservation_id).sort());
    for (const event of announced) expect(event.seats).toBe(rows.find((r) => r.reservation_id === event.reservationId)!.seats);

    const [musical] = await system.sql<{ taken: number; held: number }>(
      "musical",
      `select (select total_seats - reservable_seats from musicals where musical_id = 'crowd') as taken,
              (select coalesce(sum(seats), 0)::int from seat_holds where musical_id = 'crowd' and status = 'HELD') as held`,
    );
    const reserved = rows.reduce((sum, r) => sum + r.seats, 0);
    expect(musical).toEqual({ taken: reserved, held: reserved });
  });
});
