import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";
import { TestSystem, waitFor } from "../support/system.js";
import { SERVICE_NAMES } from "#kit/config.js";
import { ReservationCancelledSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { expectStatus, grpc, openStream, SERVICE_CONSTRUCTORS, untypedMethod, type ServiceClient } from "../support/grpc-clients.js";

describe("who is calling", () => {
  let system: TestSystem;
  let manager: string;
  let alice: string;
  let mallory: string;
  let reservationId: string;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;

  beforeAll(async () => {
    system = await TestSystem.start();
    manager = await system.token("manager", "manager");
    alice = await system.token("alice");
    mallory = await system.token("mallory");
    musical = system.client("musical");
    reservation = system.client("reservation");
    await musical.registerMusical({ musicalId: "cats", name: "Cats", totalSeats: 10, seatPrice: "50000" }, manager);
    reservationId = (await reservation.placeReservation({ musicalId: "cats", seats: 2, idempotencyKey: "a1" }, alice)).reservation.reservationId;
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
    await expectStatus(musical.registerMusical(spec), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.registerMusical(spec, forged), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.registerMusical(spec, "not.a.jwt"), grpc.status.UNAUTHENTICATED);
    const error = await expectStatus(reservation.getReservation({ reservationId }, expired), grpc.status.UNAUTHENTICATED);
    expect(error.details).toMatch(/expired/);
    await expectStatus(musical.getMusical({ musicalId: "forged" }, manager), grpc.status.NOT_FOUND);
  });

  it("the catalog reads are public; every other method of every service still needs a token", async () => {
    // No token: the catalog is readable, as the web app shows it before sign-in.
    expect((await musical.getMusical({ musicalId: "cats" })).musical.name).toBe("Cats");
    expect((await musical.listMusicals({})).musicals.map((m) => m.musicalId)).toEqual(["cats"]);
    // A token on a public read is still verified: a bad one is refused, not ignored.
    await expectStatus(musical.getMusical({ musicalId: "cats" }, "not.a.jwt"), grpc.status.UNAUTHENTICATED);
    const refused: string[] = [];
    for (const service of SERVICE_NAMES) {
      const client = system.client(service);
      try {
        for (const [name, method] of Object.entries(SERVICE_CONSTRUCTORS[service].service)) {
          if (method.responseStream || (service === "musical" && (name === "GetMusical" || name === "ListMusicals"))) continue;
          await expectStatus(untypedMethod(client, name[0]!.toLowerCase() + name.slice(1))!({}), grpc.status.UNAUTHENTICATED);
          refused.push(`${service}.${name}`);
        }
      } finally {
        client.close();
      }
    }
    expect(refused).toHaveLength(11);
    const customercenter = system.client("customercenter");
    const watch = openStream(customercenter.raw, "watchMyPage", {}, "");
    expect((await watch.ended).code).toBe(grpc.status.UNAUTHENTICATED);
    customercenter.close();
  });

  it("a customer cannot register a musical or take seats directly", async () => {
    await expectStatus(musical.registerMusical({ name: "Mine", totalSeats: 1, seatPrice: "1" }, alice), grpc.status.PERMISSION_DENIED);
    await expectStatus(
      musical.reserveSeats({ reservationId: "11111111-1111-4111-8111-111111111111", musicalId: "cats", seats: 1, customerId: "alice" }, alice),
      grpc.status.PERMISSION_DENIED,
    );
    const [catalog] = await system.sql<{ n: number }>("musical", "select count(*)::int as n from musicals");
    expect(catalog!.n).toBe(1);
    const [holds] = await system.sql<{ n: number }>("musical", "select count(*)::int as n from seat_holds");
    expect(holds!.n).toBe(1);
  });

  it("a token without exp is UNAUTHENTICATED, however well signed", async () => {
    const forever = await new SignJWT({ role: "manager" })
      .setProtectedHeader({ alg: "ES256", kid: system.signingKey("issuer").kid })
      .setSubject("manager")
      .setIssuer("outerpark")
      .setAudience("outerpark")
      .setIssuedAt()
      .sign(system.signingKey("issuer").key);
    const error = await expectStatus(musical.getMusical({ musicalId: "cats" }, forever), grpc.status.UNAUTHENTICATED);
    expect(error.details).toMatch(/exp/);
  });

  const takeOne = { reservationId: "22222222-2222-4222-8222-222222222222", musicalId: "cats", seats: 1, customerId: "alice" };
  const seatState = async () => ({
    holds: await system.sql("musical", "select reservation_id, seats, status from seat_holds order by reservation_id"),
    musicals: await system.sql("musical", "select musical_id, reservable_seats from musicals"),
  });

  it("ReserveSeats and ReleaseSeats: only the reservation service, not a customer, a manager or another service", async () => {
    const before = await seatState();
    const payment = await system.token("payment", "service");
    for (const caller of [alice, manager, payment]) {
      await expectStatus(musical.reserveSeats(takeOne, caller), grpc.status.PERMISSION_DENIED);
      await expectStatus(musical.releaseSeats({ reservationId }, caller), grpc.status.PERMISSION_DENIED);
    }
    expect(await seatState()).toEqual(before);
  });

  it("a key speaks only for its owner: another service's key claiming reservation, or a service's key signing a customer or manager, is UNAUTHENTICATED", async () => {
    const before = await seatState();
    const sign = (owner: string, subject: string, role: string) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: "ES256", kid: system.signingKey(owner).kid })
        .setSubject(subject)
        .setIssuer("outerpark")
        .setAudience("outerpark")
        .setExpirationTime("1h")
        .sign(system.signingKey(owner).key);
    const paymentAsReservation = await sign("payment", "reservation", "service");
    await expectStatus(musical.reserveSeats(takeOne, paymentAsReservation), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.releaseSeats({ reservationId }, paymentAsReservation), grpc.status.UNAUTHENTICATED);
    // The pod that holds reservation's key still cannot become a customer or a manager.
    const customerByService = await sign("reservation", "alice", "customer");
    await expectStatus(reservation.getReservation({ reservationId }, customerByService), grpc.status.UNAUTHENTICATED);
    const managerByService = await sign("reservation", "boss", "manager");
    await expectStatus(
      musical.registerMusical({ musicalId: "evil", name: "Evil", totalSeats: 1, seatPrice: "1" }, managerByService),
      grpc.status.UNAUTHENTICATED,
    );
    // Nor can the issuer's key stand in for a service.
    await expectStatus(musical.reserveSeats(takeOne, await sign("issuer", "reservation", "service")), grpc.status.UNAUTHENTICATED);
    expect(await seatState()).toEqual(before);
  });

  it("algorithm confusion, alg none and a key not in the JWKS are UNAUTHENTICATED", async () => {
    const issuer = system.signingKey("issuer");
    const publicJwk = system.keys.jwks.keys.find((k) => k.kid === issuer.kid)!;
    const publicKey = createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" });
    // HS256 with the public key as the HMAC secret, in every form a verifier might hand to HMAC.
    const publicForms = [
      JSON.stringify(publicJwk),
      publicKey.export({ type: "spki", format: "pem" }).toString(),
      publicKey.export({ type: "spki", format: "der" }),
    ];
    const claims = (jwt: SignJWT) => jwt.setSubject("boss").setIssuer("outerpark").setAudience("outerpark").setExpirationTime("1h");
    const spec = { musicalId: "confused", name: "Confused", totalSeats: 1, seatPrice: "1" };
    for (const form of publicForms) {
      const secret = typeof form === "string" ? new TextEncoder().encode(form) : new Uint8Array(form);
      const confused = await claims(new SignJWT({ role: "manager" }).setProtectedHeader({ alg: "HS256", kid: issuer.kid })).sign(secret);
      await expectStatus(musical.registerMusical(spec, confused), grpc.status.UNAUTHENTICATED);
    }
    const unsigned = new UnsecuredJWT({ role: "manager" })
      .setSubject("boss")
      .setIssuer("outerpark")
      .setAudience("outerpark")
      .setExpirationTime("1h")
      .encode();
    await expectStatus(musical.registerMusical(spec, unsigned), grpc.status.UNAUTHENTICATED);
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const impostor = await claims(new SignJWT({ role: "manager" }).setProtectedHeader({ alg: "ES256", kid: issuer.kid })).sign(stranger);
    await expectStatus(musical.registerMusical(spec, impostor), grpc.status.UNAUTHENTICATED);
    await expectStatus(musical.getMusical({ musicalId: "confused" }, manager), grpc.status.NOT_FOUND);
  });

  it("a customer can neither read nor cancel another customer's reservation, payment or notifications", async () => {
    await expectStatus(reservation.getReservation({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    await expectStatus(reservation.cancelReservation({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    const payment = system.client("payment");
    await waitFor(async () => (await system.sql("payment", "select 1 from payments")).length === 1, 20_000, "payment");
    await expectStatus(payment.getPayment({ reservationId }, mallory), grpc.status.PERMISSION_DENIED);
    payment.close();
    expect((await reservation.listReservations({}, mallory)).reservations).toHaveLength(0);
    const customercenter = system.client("customercenter");
    expect((await customercenter.getMyPage({}, mallory)).reservations).toHaveLength(0);
    customercenter.close();
    // Nothing changed: still alice's, still not cancelled, no cancellation event.
    const [row] = await system.sql<{ status: string }>("reservation", "select status from reservations where reservation_id = $1", [reservationId]);
    expect(row!.status).not.toBe("CANCELLED");
    expect(await system.publishedEvents(ReservationCancelledSchema)).toHaveLength(0);
    expect((await reservation.getReservation({ reservationId }, alice)).reservation.customerId).toBe("alice");
  });

  it("a manager cannot place reservations for themselves (customers only)", async () => {
    await expectStatus(reservation.placeReservation({ musicalId: "cats", seats: 1, idempotencyKey: "m1" }, manager), grpc.status.PERMISSION_DENIED);
  });
});
