import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBinary } from "@bufbuild/protobuf";
import { connect, headers } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { newEvent } from "#kit/events.js";
import { ReservationCancelledSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { SeatsReleasedSchema } from "#gen/outerpark/musical/v1/events_pb.js";
import { TestSystem, waitFor } from "../support/system.js";

/**
 * At-least-once delivery means an event can arrive twice (a relay retried, a
 * consumer died before its ack). Each consumer must have exactly one effect.
 */
describe("the same event delivered twice has one effect", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
  });
  afterAll(async () => system?.stop());

  it("ReservationCancelled published twice (different message ids, same event id): seats back once, one refund, one notice, one history entry", async () => {
    const manager = await system.token("manager", "manager");
    const dana = await system.token("dana");
    const musical = system.client("musical");
    const reservation = system.client("reservation");
    await musical.registerMusical({ musicalId: "rent", name: "Rent", totalSeats: 10, seatPrice: "70000" }, manager);
    const placed = (await reservation.placeReservation({ musicalId: "rent", seats: 3, idempotencyKey: "d1" }, dana)).reservation;
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: placed.reservationId }, dana)).reservation.status === "RESERVATION_STATUS_PAID",
      20_000,
      "paid",
    );

    const event = newEvent(ReservationCancelledSchema, { reservationId: placed.reservationId, customerId: "dana", musicalId: "rent", seats: 3 });
    const nc = await connect({ servers: system.infra.natsUrl });
    const js = jetstream(nc);
    for (const copy of ["first", "second"]) {
      const h = headers();
      h.set("Event-Type", ReservationCancelledSchema.typeName);
      // Distinct message ids get past JetStream's own dedupe, as a redelivery after the window would.
      const ack = await js.publish(`${system.namespace}.reservation.ReservationCancelled`, toBinary(ReservationCancelledSchema, event), {
        headers: h,
        msgID: `${event.eventId}-${copy}`,
      });
      expect(ack.duplicate).toBe(false);
    }
    await nc.close();

    await waitFor(async () => (await musical.getMusical({ musicalId: "rent" }, manager)).musical.reservableSeats === 10, 20_000, "seats back");
    await waitFor(
      async () => (await system.sql("payment", "select 1 from payments where status = 'CANCELLED' and refunded")).length === 1,
      20_000,
      "refund",
    );
    await waitFor(
      async () =>
        (await system.sql("notice", "select 1 from notifications where kind = 'RESERVATION_CANCELLED' and sent_at is not null")).length === 1,
      20_000,
      "notice",
    );
    await waitFor(
      async () => (await system.sql("customercenter", "select 1 from mypage_history where event_type like '%ReservationCancelled'")).length === 1,
      20_000,
      "history",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // give a second effect every chance to appear

    expect((await musical.getMusical({ musicalId: "rent" }, manager)).musical.reservableSeats).toBe(10);
    const [released] = await system.sql<{ n: number }>("musical", "select count(*)::int as n from seat_holds where status = 'RELEASED'");
    expect(released!.n).toBe(1);
    const inbox = await system.sql<{ consumer: string; n: number }>(
      "musical",
      "select consumer, count(*)::int as n from inbox where event_id = $1 group by consumer",
      [event.eventId],
    );
    expect(inbox).toEqual([{ consumer: "musical", n: 1 }]);
    expect((await system.gatewayStats()).refunds).toBe(1);
    expect(await system.sql("notice", "select 1 from notifications where kind = 'RESERVATION_CANCELLED'")).toHaveLength(1);
    expect(await system.sql("customercenter", "select 1 from mypage_history where event_type like '%ReservationCancelled'")).toHaveLength(1);
    expect(await system.publishedEvents(SeatsReleasedSchema)).toHaveLength(1);
    console.log("duplicate delivery: 2 deliveries → 1 seat release, 1 refund, 1 notification, 1 history entry");
    musical.close();
    reservation.close();
  });
});
