import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, type ServiceClient } from "../support/grpc-clients.js";

/**
 * No reservation waits forever for its payment: a gateway that refuses a
 * charge as a bad request (4xx) fails the payment at once, and a payment not
 * settled within the payment deadline expires. Either way the seats go back,
 * the customer is told, and MyPage shows it. The deadline is shortened here.
 */
const DEADLINE_MS = 5_000;

interface GatewayStats {
  approvedReservations: string[];
  voidedKeys: string[];
  refunds: number;
}

describe("permanent gateway refusals and the payment deadline", () => {
  let system: TestSystem;
  let manager: string;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;
  let payment: ServiceClient<"payment">;
  let notice: ServiceClient<"notice">;
  let customercenter: ServiceClient<"customercenter">;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { GATEWAY_TIMEOUT_MS: "1000", PAYMENT_DEADLINE_MS: String(DEADLINE_MS) } });
    manager = await system.token("manager", "manager");
    musical = system.client("musical");
    reservation = system.client("reservation");
    payment = system.client("payment");
    notice = system.client("notice");
    customercenter = system.client("customercenter");
    await musical.registerMusical({ musicalId: "cats", name: "Cats", totalSeats: 50, seatPrice: "50000" }, manager);
  });
  afterAll(async () => {
    for (const c of [musical, reservation, payment, notice, customercenter]) c?.close();
    await system?.stop();
  });

  const reservableSeats = async () => Number((await musical.getMusical({ musicalId: "cats" }, manager)).musical.reservableSeats);
  const stats = async () => (await system.gatewayStats()) as unknown as GatewayStats;
  const notificationKinds = async (token: string) =>
    (await notice.listNotifications({}, token)).notifications.map((n: { kind: string }) => n.kind) as string[];
  const myReservation = async (token: string, reservationId: string) =>
    (await customercenter.getMyPage({}, token)).reservations.find((r: { reservationId: string }) => r.reservationId === reservationId);
  /** Places a reservation with the gateway as it is now, and waits until it expired and its seats are back. */
  const placeAndWaitForExpiry = async (customer: string, seats: number) => {
    const token = await system.token(customer);
    const seatsBefore = await reservableSeats();
    const placedAt = Date.now();
    const r = (await reservation.placeReservation({ musicalId: "cats", seats, idempotencyKey: "k" }, token)).reservation;
    expect(await reservableSeats()).toBe(seatsBefore - seats);
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: r.reservationId }, token)).reservation.status === "RESERVATION_STATUS_EXPIRED",
      DEADLINE_MS + 20_000,
      "expired",
    );
    console.log(`payment deadline: ${customer}'s reservation seen expired ${Date.now() - placedAt} ms after placement (deadline ${DEADLINE_MS} ms)`);
    await waitFor(async () => (await reservableSeats()) === seatsBefore, 20_000, "seats back");
    return { token, reservationId: r.reservationId as string };
  };

  it.each([400, 409, 422])(
    "gateway answers %i: the payment fails with the reason, the reservation is rejected, seats back, customer told",
    async (status) => {
      const customer = `refused-${status}`;
      await system.setGateway({ rejectCustomers: { [customer]: status } });
      const token = await system.token(customer);
      const seatsBefore = await reservableSeats();
      const r = (await reservation.placeReservation({ musicalId: "cats", seats: 2, idempotencyKey: "k" }, token)).reservation;

      await waitFor(
        async () =>
          (await reservation.getReservation({ reservationId: r.reservationId }, token)).reservation.status === "RESERVATION_STATUS_REJECTED",
        20_000,
        "rejected",
      );
      expect((await reservation.getReservation({ reservationId: r.reservationId }, token)).reservation.paymentState).toBe("PAYMENT_STATE_DECLINED");
      const failed = (await payment.getPayment({ reservationId: r.reservationId }, token)).payment;
      expect(failed.status).toBe("PAYMENT_STATUS_FAILED");
      expect(failed.failureReason).toContain(String(status));
      expect(Number(failed.attempts)).toBe(1); // refused once, never retried
      await waitFor(async () => (await reservableSeats()) === seatsBefore, 20_000, "seats back");
      await waitFor(async () => (await notificationKinds(token)).includes("NOTIFICATION_KIND_PAYMENT_FAILED"), 20_000, "customer told");
      await waitFor(
        async () => {
          const mine = await myReservation(token, r.reservationId);
          return (
            mine?.reservationStatus === "RESERVATION_STATUS_REJECTED" &&
            mine.paymentState === "PAYMENT_STATE_DECLINED" &&
            mine.notifications.length === 1
          );
        },
        20_000,
        "MyPage shows the rejection",
      );
      expect((await stats()).approvedReservations).not.toContain(r.reservationId);
    },
  );

  it("gateway down past the deadline: payment expired, reservation expired, seats back, customer told; back up, the key is voided and no charge can land", async () => {
    await system.setGateway({ rejectCustomers: {}, down: true });
    const { token, reservationId } = await placeAndWaitForExpiry("late-larry", 3);
    expect((await reservation.getReservation({ reservationId }, token)).reservation.paymentState).toBe("PAYMENT_STATE_EXPIRED");
    const expired = (await payment.getPayment({ reservationId }, token)).payment;
    expect(expired).toMatchObject({ status: "PAYMENT_STATUS_EXPIRED", refunded: false });
    await waitFor(async () => (await notificationKinds(token)).includes("NOTIFICATION_KIND_RESERVATION_EXPIRED"), 20_000, "customer told");
    await waitFor(
      async () => {
        const mine = await myReservation(token, reservationId);
        return (
          mine?.reservationStatus === "RESERVATION_STATUS_EXPIRED" && mine.paymentState === "PAYMENT_STATE_EXPIRED" && mine.notifications.length === 1
        );
      },
      20_000,
      "MyPage shows the expiry",
    );
    const mine = (await myReservation(token, reservationId))!;
    expect(mine.history.map((h: { summary: string }) => h.summary).join("\n")).toMatch(/expired/i);
    // An expired reservation is history: cancelling it is refused and changes nothing.
    await expectStatus(reservation.cancelReservation({ reservationId }, token), grpc.status.FAILED_PRECONDITION);

    // The gateway comes back: the charge key is voided there, so a charge still in flight with it would be declined.
    await system.setGateway({ down: false });
    const key = `charge:${expired.paymentId}`;
    await waitFor(async () => (await stats()).voidedKeys.includes(key), 30_000, "charge key voided at the gateway");
    const late = await fetch(`${system.gatewayUrl}/charges`, {
      method: "POST",
      body: JSON.stringify({ key, amount: 150000, customerId: "late-larry", reservationId }),
    });
    expect(late.status).toBe(402);
    expect((await stats()).approvedReservations).not.toContain(reservationId);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await payment.getPayment({ reservationId }, token)).payment).toMatchObject({ status: "PAYMENT_STATUS_EXPIRED", refunded: false });
    expect((await reservation.getReservation({ reservationId }, token)).reservation.status).toBe("RESERVATION_STATUS_EXPIRED");
  });

  it("gateway slower than the timeout past the deadline: the reservation expires, and the charge that landed meanwhile is refunded and the customer told", async () => {
    await system.setGateway({ latencyMs: 2_500 }); // every answer lost, every charge still lands
    const refundsBefore = (await stats()).refunds;
    const { token, reservationId } = await placeAndWaitForExpiry("slow-sally", 1);
    expect((await stats()).approvedReservations).toContain(reservationId); // the slow charge did land

    await system.setGateway({ latencyMs: 0 });
    await waitFor(async () => (await payment.getPayment({ reservationId }, token)).payment.refunded === true, 30_000, "refunded");
    expect((await stats()).refunds).toBe(refundsBefore + 1);
    await waitFor(
      async () => {
        const kinds = await notificationKinds(token);
        return kinds.includes("NOTIFICATION_KIND_RESERVATION_EXPIRED") && kinds.includes("NOTIFICATION_KIND_PAYMENT_REFUNDED");
      },
      20_000,
      "customer told of expiry and refund",
    );
    expect(await notificationKinds(token)).not.toContain("NOTIFICATION_KIND_PAYMENT_APPROVED");
    await waitFor(
      async () => {
        const mine = await myReservation(token, reservationId);
        return (
          mine?.reservationStatus === "RESERVATION_STATUS_EXPIRED" &&
          mine.paymentState === "PAYMENT_STATE_CANCELLED" &&
          mine.notifications.length === 2
        );
      },
      20_000,
      "MyPage shows the expiry and the refund",
    );
    expect((await reservation.getReservation({ reservationId }, token)).reservation.status).toBe("RESERVATION_STATUS_EXPIRED");
  });
});
