import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceClient } from "../support/grpc-clients.js";
import { TestSystem, waitFor } from "../support/system.js";

/**
 * The 24/7 promise: reservations are taken while payment cannot complete;
 * the breaker stops hammering a failing gateway; once it recovers every
 * deferred payment completes exactly once. A decline is compensated.
 */
describe("payment gateway outages", () => {
  let system: TestSystem;
  let manager: string;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;
  let customercenter: ServiceClient<"customercenter">;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { GATEWAY_TIMEOUT_MS: "1000" } });
    manager = await system.token("manager", "manager");
    musical = system.client("musical");
    reservation = system.client("reservation");
    customercenter = system.client("customercenter");
    await musical.registerMusical({ musicalId: "hadestown", name: "Hadestown", totalSeats: 100, seatPrice: "60000" }, manager);
  });
  afterAll(async () => {
    for (const c of [musical, reservation, customercenter]) c?.close();
    await system?.stop();
  });

  const paymentStatuses = async () =>
    Object.fromEntries(
      (await system.sql<{ status: string; n: number }>("payment", "select status, count(*)::int as n from payments group by status")).map((r) => [
        r.status,
        r.n,
      ]),
    ) as Record<string, number>;

  it("gateway failing: reservations keep being accepted, payments are deferred, the breaker stops the hammering, recovery pays each once", async () => {
    await system.setGateway({ down: true });
    const customers = Array.from({ length: 8 }, (_, i) => `outage-${i}`);
    const placed: string[] = [];
    for (const customer of customers) {
      const token = await system.token(customer);
      const r = (await reservation.placeReservation({ musicalId: "hadestown", seats: 1, idempotencyKey: "k" }, token)).reservation;
      expect(r.status).toBe("RESERVATION_STATUS_RESERVED");
      placed.push(r.reservationId);
    }
    await waitFor(async () => (await paymentStatuses()).DEFERRED === customers.length, 30_000, "every payment deferred");

    // The customer sees a clear pending state, from events.
    const first = await system.token(customers[0]!);
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: placed[0] }, first)).reservation.paymentState === "PAYMENT_STATE_DEFERRED",
      20_000,
      "reservation shows deferred",
    );
    await waitFor(
      async () => (await customercenter.getMyPage({}, first)).reservations[0]?.paymentState === "PAYMENT_STATE_DEFERRED",
      20_000,
      "MyPage shows deferred",
    );
    const page = await customercenter.getMyPage({}, first);
    expect(page.reservations[0]!.history.map((h: { summary: string }) => h.summary).join("\n")).toMatch(/Payment delayed/);

    // With the circuit open the gateway is spared: over 4 s it sees at most a few trial calls, not a retry storm.
    const before = (await system.gatewayStats()) as unknown as { rejectedAsUnavailable: number };
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const after = (await system.gatewayStats()) as unknown as { rejectedAsUnavailable: number };
    const callsWhileOpen = after.rejectedAsUnavailable - before.rejectedAsUnavailable;
    console.log(
      `payment outage: ${customers.length} reservations accepted while down; gateway saw ${callsWhileOpen} calls in 4 s with the breaker open`,
    );
    expect(callsWhileOpen).toBeLessThanOrEqual(4);

    // Still taking reservations during the outage.
    const late = await system.token("outage-late");
    expect((await reservation.placeReservation({ musicalId: "hadestown", seats: 2, idempotencyKey: "late" }, late)).reservation.status).toBe(
      "RESERVATION_STATUS_RESERVED",
    );

    await system.setGateway({ down: false });
    await waitFor(async () => (await paymentStatuses()).APPROVED === customers.length + 1, 60_000, "every deferred payment approved", 250);
    const stats = await system.gatewayStats();
    expect(stats.approvedCharges).toBe(customers.length + 1);
    expect(new Set(stats.approvedReservations).size).toBe(customers.length + 1);
    for (const [i, id] of placed.entries()) {
      const token = await system.token(customers[i]!);
      await waitFor(
        async () => (await reservation.getReservation({ reservationId: id }, token)).reservation.status === "RESERVATION_STATUS_PAID",
        20_000,
        "paid",
      );
    }
    console.log(`payment outage: after recovery ${stats.approvedCharges} charges for ${customers.length + 1} reservations`);
  });

  it("gateway slower than the timeout: deferred, then charged exactly once even though the slow attempt went through", async () => {
    await system.setGateway({ latencyMs: 2_500 });
    const token = await system.token("slowpoke");
    const r = (await reservation.placeReservation({ musicalId: "hadestown", seats: 1, idempotencyKey: "slow" }, token)).reservation;
    await waitFor(
      async () =>
        (await system.sql("payment", "select 1 from payments where reservation_id = $1 and status = 'DEFERRED'", [r.reservationId])).length === 1,
      20_000,
      "deferred",
    );
    await system.setGateway({ latencyMs: 0 });
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: r.reservationId }, token)).reservation.status === "RESERVATION_STATUS_PAID",
      60_000,
      "paid",
    );
    const charges = (await system.gatewayStats()).approvedReservations.filter((id) => id === r.reservationId);
    expect(charges).toHaveLength(1);
  });

  it("a declined payment is final: seats go back, the reservation is rejected, the customer is told, MyPage shows it", async () => {
    await system.setGateway({ declineCustomers: ["eve"] });
    const eve = await system.token("eve");
    const seatsBefore = (await musical.getMusical({ musicalId: "hadestown" }, manager)).musical.reservableSeats;
    const r = (await reservation.placeReservation({ musicalId: "hadestown", seats: 3, idempotencyKey: "eve-1" }, eve)).reservation;
    expect((await musical.getMusical({ musicalId: "hadestown" }, manager)).musical.reservableSeats).toBe(seatsBefore - 3);

    await waitFor(
      async () => (await reservation.getReservation({ reservationId: r.reservationId }, eve)).reservation.status === "RESERVATION_STATUS_REJECTED",
      20_000,
      "rejected",
    );
    expect((await reservation.getReservation({ reservationId: r.reservationId }, eve)).reservation.paymentState).toBe("PAYMENT_STATE_DECLINED");
    await waitFor(
      async () => (await musical.getMusical({ musicalId: "hadestown" }, manager)).musical.reservableSeats === seatsBefore,
      20_000,
      "seats back",
    );
    const notice = system.client("notice");
    await waitFor(
      async () =>
        (await notice.listNotifications({}, eve)).notifications.some((n: { kind: string }) => n.kind === "NOTIFICATION_KIND_PAYMENT_FAILED"),
      20_000,
      "notified",
    );
    notice.close();
    await waitFor(
      async () => {
        const mine = (await customercenter.getMyPage({}, eve)).reservations[0];
        return (
          mine?.reservationStatus === "RESERVATION_STATUS_REJECTED" &&
          mine.paymentState === "PAYMENT_STATE_DECLINED" &&
          mine.notifications.length === 1
        );
      },
      20_000,
      "MyPage shows the rejection",
    );
    // Cancelling a rejected reservation is refused precisely, and changes nothing.
    const { expectStatus, grpc } = await import("../support/grpc-clients.js");
    await expectStatus(reservation.cancelReservation({ reservationId: r.reservationId }, eve), grpc.status.FAILED_PRECONDITION);
    expect((await system.gatewayStats()).refunds).toBe(0);
    await system.setGateway({ declineCustomers: [] });
  });

  it("a cancellation after a charge whose answer was lost settles at the gateway: no customer money is kept", async () => {
    const refundsBefore = (await system.gatewayStats()).refunds;
    await system.setGateway({ latencyMs: 2_500 }); // longer than the 1 s timeout: the charge is in flight, its answer lost
    const jo = await system.token("jo");
    const r = (await reservation.placeReservation({ musicalId: "hadestown", seats: 1, idempotencyKey: "jo-1" }, jo)).reservation;
    const payment = async () =>
      (
        await system.sql<{ status: string; charge_attempted: boolean; refunded: boolean }>(
          "payment",
          "select status, charge_attempted, refunded from payments where reservation_id = $1",
          [r.reservationId],
        )
      )[0];
    await waitFor(async () => (await payment())?.status === "DEFERRED" && (await payment())!.charge_attempted, 20_000, "charge in doubt");
    await reservation.cancelReservation({ reservationId: r.reservationId }, jo);
    await system.setGateway({ latencyMs: 0 });
    await waitFor(async () => (await payment())?.status === "CANCELLED", 60_000, "payment settled");
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // let every slow charge still in flight land
    const settled = (await payment())!;
    const stats = await system.gatewayStats();
    const charged = stats.approvedReservations.includes(r.reservationId);
    console.log(`payment outage: in-doubt charge, then cancel → charged at the gateway: ${charged}, refunded: ${settled.refunded}`);
    // Either it was charged and is refunded, or the key was barred and no late charge landed.
    expect(settled.refunded).toBe(charged);
    expect(stats.refunds).toBe(refundsBefore + (charged ? 1 : 0));
  });

  it("a cancelled customer whose lost charge landed is told of the refund, never that the booking is confirmed", async () => {
    await system.setGateway({ latencyMs: 2_500 }); // longer than the 1 s timeout: each charge lands, its answer is lost
    const kim = await system.token("kim");
    const r = (await reservation.placeReservation({ musicalId: "hadestown", seats: 1, idempotencyKey: "kim-1" }, kim)).reservation;
    await waitFor(
      async () => (await system.gatewayStats()).approvedReservations.includes(r.reservationId),
      20_000,
      "the charge landed at the gateway",
    );
    await reservation.cancelReservation({ reservationId: r.reservationId }, kim);
    await waitFor(
      async () =>
        (await system.sql("payment", "select 1 from payments where reservation_id = $1 and cancel_requested", [r.reservationId])).length === 1,
      20_000,
      "payment knows of the cancellation",
    );
    await system.setGateway({ latencyMs: 0 });
    await waitFor(
      async () =>
        (await system.sql<{ refunded: boolean }>("payment", "select refunded from payments where reservation_id = $1", [r.reservationId]))[0]
          ?.refunded === true,
      30_000,
      "refunded",
    );
    const notice = system.client("notice");
    const kinds = async () => (await notice.listNotifications({}, kim)).notifications.map((n: { kind: string }) => n.kind) as string[];
    await waitFor(async () => (await kinds()).includes("NOTIFICATION_KIND_PAYMENT_REFUNDED"), 20_000, "refund notice");
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let any late notice arrive
    const told = await kinds();
    notice.close();
    console.log(`payment outage: cancelled customer with a landed charge was told ${told.join(", ")}`);
    expect(told.sort()).toEqual(["NOTIFICATION_KIND_PAYMENT_REFUNDED", "NOTIFICATION_KIND_RESERVATION_CANCELLED"]);
    await waitFor(
      async () => {
        const mine = (await customercenter.getMyPage({}, kim)).reservations[0];
        return (
          mine?.reservationStatus === "RESERVATION_STATUS_CANCELLED" &&
          mine.paymentState === "PAYMENT_STATE_CANCELLED" &&
          mine.notifications.length === 2
        );
      },
      20_000,
      "MyPage shows the cancellation and the refund",
    );
    const mine = (await customercenter.getMyPage({}, kim)).reservations[0]!;
    expect(mine.notifications.map((n: { kind: string }) => n.kind)).not.toContain("NOTIFICATION_KIND_PAYMENT_APPROVED");
    expect(mine.history.map((h: { summary: string }) => h.summary)).not.toContain("Reservation confirmed");
  });
});
