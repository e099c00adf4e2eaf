import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, openStream, type ServiceClient } from "../support/grpc-clients.js";

/**
 * The six user stories end to end: five service processes, real PostgreSQL,
 * real NATS JetStream, called over gRPC by an independent client.
 */
describe("reservation saga, end to end", () => {
  let system: TestSystem;
  let manager: string;
  let alice: string;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;
  let payment: ServiceClient<"payment">;
  let notice: ServiceClient<"notice">;
  let customercenter: ServiceClient<"customercenter">;

  beforeAll(async () => {
    system = await TestSystem.start();
    manager = await system.token("manager-1", "manager");
    alice = await system.token("alice");
    musical = system.client("musical");
    reservation = system.client("reservation");
    payment = system.client("payment");
    notice = system.client("notice");
    customercenter = system.client("customercenter");
  });

  afterAll(async () => {
    for (const c of [musical, reservation, payment, notice, customercenter]) c?.close();
    await system?.stop();
  });

  it("1. a manager registers musicals; re-registering is a no-op, different data is ALREADY_EXISTS; get and list page", async () => {
    const spec = { musicalId: "phantom-2026", name: "The Phantom of the Opera", totalSeats: 10, seatPrice: "120000" };
    const first = await musical.registerMusical(spec, manager);
    expect(first.created).toBe(true);
    expect(first.musical).toMatchObject({ musicalId: "phantom-2026", totalSeats: 10, reservableSeats: 10, seatPrice: "120000" });

    const again = await musical.registerMusical(spec, manager);
    expect(again.created).toBe(false);
    await expectStatus(musical.registerMusical({ ...spec, totalSeats: 11 }, manager), grpc.status.ALREADY_EXISTS);

    const generated = await musical.registerMusical({ name: "Wicked", totalSeats: 5, seatPrice: "90000" }, manager);
    expect(generated.musical.musicalId).toMatch(/^[0-9a-f-]{36}$/);
    await musical.registerMusical({ name: "Hamilton", totalSeats: 5, seatPrice: "150000" }, manager);

    expect((await musical.getMusical({ musicalId: "phantom-2026" }, alice)).musical.name).toBe("The Phantom of the Opera");
    await expectStatus(musical.getMusical({ musicalId: "no-such-show" }, alice), grpc.status.NOT_FOUND);

    const page1 = await musical.listMusicals({ pageSize: 2 }, alice);
    expect(page1.musicals).toHaveLength(2);
    expect(page1.nextPageToken).not.toBe("");
    const page2 = await musical.listMusicals({ pageSize: 2, pageToken: page1.nextPageToken }, alice);
    expect(page2.musicals).toHaveLength(1);
    expect(page2.nextPageToken).toBe("");
    const names = [...page1.musicals, ...page2.musicals].map((m: { name: string }) => m.name);
    expect(new Set(names)).toEqual(new Set(["The Phantom of the Opera", "Wicked", "Hamilton"]));
  });

  it("2–6. reserve, pay, notify, cancel (refund + seats back + notice), with MyPage built from events and streamed live", async () => {
    const watch = openStream(customercenter.raw, "watchMyPage", {}, alice);

    // 2. Reserve: returns at once with the amount and payment pending.
    const placed = (await reservation.placeReservation({ musicalId: "phantom-2026", seats: 2, idempotencyKey: "alice-1" }, alice)).reservation;
    expect(placed).toMatchObject({ musicalId: "phantom-2026", musicalName: "The Phantom of the Opera", seats: 2, amount: "240000" });
    expect(placed.status).toBe("RESERVATION_STATUS_RESERVED");
    expect(placed.paymentState).toBe("PAYMENT_STATE_PENDING");
    const id = placed.reservationId;
    expect((await musical.getMusical({ musicalId: "phantom-2026" }, alice)).musical.reservableSeats).toBe(8);

    // 3. Payment approves asynchronously; reservation records it as paid.
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: id }, alice)).reservation.status === "RESERVATION_STATUS_PAID",
      20_000,
      "paid",
    );
    const paid = await payment.getPayment({ reservationId: id }, alice);
    expect(paid.payment).toMatchObject({ status: "PAYMENT_STATUS_APPROVED", amount: "240000", refunded: false });

    // 4. A notification goes out on approval.
    await waitFor(async () => (await notice.listNotifications({}, alice)).notifications.length === 1, 20_000, "approval notification");
    const [approvalNotice] = (await notice.listNotifications({}, alice)).notifications;
    expect(approvalNotice).toMatchObject({ reservationId: id, kind: "NOTIFICATION_KIND_PAYMENT_APPROVED", channel: "log" });

    // 5. Cancel: refund, seats back, cancellation notice; twice is harmless; nothing is deleted.
    const cancelled = (await reservation.cancelReservation({ reservationId: id }, alice)).reservation;
    expect(cancelled.status).toBe("RESERVATION_STATUS_CANCELLED");
    const again = (await reservation.cancelReservation({ reservationId: id }, alice)).reservation;
    expect(again.status).toBe("RESERVATION_STATUS_CANCELLED");

    await waitFor(
      async () => (await payment.getPayment({ reservationId: id }, alice)).payment.status === "PAYMENT_STATUS_CANCELLED",
      20_000,
      "refund",
    );
    expect((await payment.getPayment({ reservationId: id }, alice)).payment.refunded).toBe(true);
    await waitFor(async () => (await musical.getMusical({ musicalId: "phantom-2026" }, alice)).musical.reservableSeats === 10, 20_000, "seats back");
    await waitFor(
      async () => (await notice.listNotifications({}, alice)).notifications.length === 3,
      20_000,
      "cancellation and refund notifications",
    );
    const kinds = (await notice.listNotifications({}, alice)).notifications.map((n: { kind: string }) => n.kind);
    expect(kinds.sort()).toEqual([
      "NOTIFICATION_KIND_PAYMENT_APPROVED",
      "NOTIFICATION_KIND_PAYMENT_REFUNDED",
      "NOTIFICATION_KIND_RESERVATION_CANCELLED",
    ]);
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: id }, alice)).reservation.paymentState === "PAYMENT_STATE_CANCELLED",
      20_000,
      "reservation sees the refund",
    );
    const history = await reservation.listReservations({}, alice);
    expect(history.reservations.map((r: { reservationId: string }) => r.reservationId)).toEqual([id]);
    const gateway = await system.gatewayStats();
    expect(gateway.approvedCharges).toBe(1);
    expect(gateway.refunds).toBe(1);

    // 6. MyPage: everything about the reservation, from events only.
    await waitFor(
      async () => {
        const page = await customercenter.getMyPage({}, alice);
        const mine = page.reservations[0];
        return mine?.paymentState === "PAYMENT_STATE_CANCELLED" && mine.notifications.length === 3;
      },
      20_000,
      "MyPage to converge",
    );
    const page = await customercenter.getMyPage({}, alice);
    expect(page.customerId).toBe("alice");
    expect(page.reservations).toHaveLength(1);
    const mine = page.reservations[0]!;
    expect(mine).toMatchObject({
      reservationId: id,
      musicalId: "phantom-2026",
      musicalName: "The Phantom of the Opera",
      seats: 2,
      amount: "240000",
      reservationStatus: "RESERVATION_STATUS_CANCELLED",
      paymentState: "PAYMENT_STATE_CANCELLED",
    });
    const steps = mine.history.map((h: { eventType: string }) => h.eventType.split(".").pop());
    for (const step of [
      "ReservationPlaced",
      "PaymentApproved",
      "ReservationConfirmed",
      "ReservationCancelled",
      "PaymentCancelled",
      "SeatsReleased",
      "NotificationSent",
    ]) {
      expect(steps).toContain(step);
    }
    for (const h of mine.history) expect(Number(h.occurredAt.seconds)).toBeGreaterThan(0);
    expect(steps[0]).toBe("ReservationPlaced");

    // The stream pushed each change as it happened, ending in the final state.
    const finalState = "RESERVATION_STATUS_CANCELLED/PAYMENT_STATE_CANCELLED";
    const stateOf = (m: { reservation: { reservationStatus: string; paymentState: string } }) =>
      `${m.reservation.reservationStatus}/${m.reservation.paymentState}`;
    await waitFor(
      () =>
        watch.messages.length > 0 && stateOf(watch.messages.at(-1)!) === finalState && watch.messages.at(-1)!.reservation.notifications.length === 3,
      20_000,
      "streamed final state",
    );
    const streamedStates = watch.messages.map(stateOf);
    expect(streamedStates).toContain("RESERVATION_STATUS_RESERVED/PAYMENT_STATE_PENDING");
    expect(streamedStates).toContain("RESERVATION_STATUS_PAID/PAYMENT_STATE_APPROVED");
    expect(streamedStates.at(-1)).toBe(finalState);
    const versions = watch.messages.map((m) => Number(m.reservation.version));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(watch.error).toBeUndefined();
    watch.cancel();
    console.log(
      `saga: ${steps.length} history steps, ${watch.messages.length} streamed updates, gateway charges=${gateway.approvedCharges} refunds=${gateway.refunds}`,
    );
  });

  it("too few seats: FAILED_PRECONDITION and nothing changes in any service", async () => {
    const before = await snapshot(system);
    const bob = await system.token("bob");
    const error = await expectStatus(
      reservation.placeReservation({ musicalId: "phantom-2026", seats: 11, idempotencyKey: "bob-too-many" }, bob),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(error.details).toMatch(/only 10 of 10 seats left/);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let anything that would leak show up
    expect(await snapshot(system)).toEqual(before);
    // The refused key is free again: the same request later, once seats exist, is a fresh reservation.
    await expectStatus(reservation.getReservation({ reservationId: "00000000-0000-4000-8000-000000000000" }, bob), grpc.status.NOT_FOUND);
  });

  it("the same idempotency key twice gives one reservation; reused for another request it is ALREADY_EXISTS", async () => {
    const carol = await system.token("carol");
    const request = { musicalId: "phantom-2026", seats: 1, idempotencyKey: "carol-k" };
    const [a, b] = await Promise.all(
      [reservation.placeReservation(request, carol), reservation.placeReservation(request, carol)].map((p) => p.catch((e) => e)),
    );
    const ok = [a, b].filter((r) => r.reservation);
    // Concurrent twins: one places, the other either returns it or is told to retry (never a second reservation).
    expect(ok.length).toBeGreaterThanOrEqual(1);
    const third = await reservation.placeReservation(request, carol);
    for (const r of ok) expect(r.reservation.reservationId).toBe(third.reservation.reservationId);
    await expectStatus(reservation.placeReservation({ ...request, seats: 2 }, carol), grpc.status.ALREADY_EXISTS);
    const rows = await system.sql("reservation", "select count(*)::int as n from reservations where customer_id = 'carol'");
    expect(rows[0]!.n).toBe(1);
    const holds = await system.sql("musical", "select count(*)::int as n from seat_holds where status = 'HELD' and customer_id = 'carol'");
    expect(holds[0]!.n).toBe(1);
  });
});

async function snapshot(system: TestSystem) {
  const count = async (service: Parameters<TestSystem["sql"]>[0], sql: string) => (await system.sql(service, sql))[0];
  return {
    seats: await count("musical", "select sum(reservable_seats)::int as n from musicals"),
    holds: await count("musical", "select count(*)::int as n from seat_holds"),
    reservations: await count("reservation", "select count(*)::int as n from reservations"),
    payments: await count("payment", "select count(*)::int as n from payments"),
    notifications: await count("notice", "select count(*)::int as n from notifications"),
    mypage: await count("customercenter", "select count(*)::int as n from mypage_history"),
    reservationStream: await system.streamMessageCount("reservation"),
    paymentStream: await system.streamMessageCount("payment"),
  };
}
