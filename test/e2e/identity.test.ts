import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc } from "../support/grpc-clients.js";

describe("who is calling", () => {
  let system: TestSystem;
  let manager: string;
  let alice: string;
  let mallory: string;
  let reservationId: string;
  let musical: ReturnType<TestSystem["client"]>;
  let reservation: ReturnType<TestSystem["client"]>;

  beforeAll(async () => {
    system = await TestSystem.start();
    manager = await system.token("manager", "manager");
    alice = await system.token("alice");
    mallory = await system.token("mallory");
    musical = system.client("musical");
    reservation = system.client("reservation");
    await musical.registerMusical!({ musicalId: "cats", name: "Cats", totalSeats: 10, seatPrice: "50000" }, manager);
    reservationId = (await reservation.placeReservation!({ musicalId: "cats", seats: 2, idempotencyKey: "a1" }, alice)).reservation.reservationId;
  });
  afterAll(async () => {
    musical?.close();
    reservation?.close();
    await system?.stop();
  });

  it("missing, forged, expired and malformed tokens are UNAUTHENTICATED", async () => {
    const forged = await new SignJWT({ role: "manager" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setIssuer("outerpark")
      .setAudience("outerpark")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("an-attacker-guessed-this-secret-wrongly!"));
    const expired = await system.token("alice", "customer", -60);
    const spec = { musicalId: "forged", name: "Forged", totalSeats: 1, seatPrice: "1" };
    await expectStatus(musical.registerMusical!(spec), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.registerMusical!(spec, forged), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.registerMusical!(spec, "not.a.jwt"), grpc.status.UNAUTHENTICATED);
    const error = await expectStatus(reservation.getReservation!({ reservationId }, expired), grpc.status.UNAUTHENTICATED);
    expect(error.details).toMatch(/expired/);
    await expectStatus(musical.getMusical!({ musicalId: "forged" }, manager), grpc.status.NOT_FOUND);
  });

  it("a customer cannot register a musical or take seats directly", async () => {
    await expectStatus(musical.registerMusical!({ name: "Mine", totalSeats: 1, seatPrice: "1" }, alice), grpc.status.PERMISSION_DENIED);
    await expectStatus(
      musical.reserveSeats!({ reservationId: "11111111-1111-4111-8111-111111111111", musicalId: "cats", seats: 1, customerId: "alice" }, alice),
      grpc.status.PERMISSION_DENIED,
    );
    const [catalog] = await system.sql<{ n: number }>("musical", "select count(*)::int as n from musicals");
    expect(catalog!.n).toBe(1);
    const [holds] = await system.sql<{ n: number }>("musical", "select count(*)::int as n from seat_holds");
    expect(holds!.n).toBe(1);
  });

  it("a customer can neither read nor cancel another customer's reservation, payment or notifications", async () => {
    await expectStatus(reservation.getReservation!({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    await expectStatus(reservation.cancelReservation!({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    const payment = system.client("payment");
    await waitFor(async () => (await system.sql("payment", "select 1 from payments")).length === 1, 20_000, "payment");
    await expectStatus(payment.getPayment!({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    payment.close();
    expect((await reservation.listReservations!({}, mallory)).reservations).toHaveLength(0);
    const customercenter = system.client("customercenter");
    expect((await customercenter.getMyPage!({}, mallory)).reservations).toHaveLength(0);
    customercenter.close();
    // Nothing changed: still alice's, still not cancelled, no cancellation event.
    const [row] = await system.sql<{ status: string }>("reservation", "select status from reservations where reservation_id = $1", [reservationId]);
    expect(row!.status).not.toBe("CANCELLED");
    const [events] = await system.sql<{ n: number }>("reservation", "select count(*)::int as n from outbox where event_type like '%ReservationCancelled'");
    expect(events!.n).toBe(0);
    expect((await reservation.getReservation!({ reservationId }, alice)).reservation.customerId).toBe("alice");
  });

  it("a manager cannot place reservations for themselves (customers only)", async () => {
    await expectStatus(reservation.placeReservation!({ musicalId: "cats", seats: 1, idempotencyKey: "m1" }, manager), grpc.status.PERMISSION_DENIED);
  });
});
