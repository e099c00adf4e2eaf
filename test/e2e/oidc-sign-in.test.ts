/**
 * Sign-in through a real OpenID Connect provider (Ory Hydra, JWT access
 * tokens) end to end over gRPC: the services started with OIDC_* accept the
 * provider's access tokens, take the role from its claim (ext.role), refuse a
 * customer what only a manager may do, and refuse a token for another audience.
 * Tokens come from the authorization code flow with PKCE, driven over plain
 * HTTP: redirects followed, the login form posted.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectStatus, grpc, type ServiceClient } from "../support/grpc-clients.js";
import {
  HYDRA_BUILD_TIMEOUT_MS,
  HYDRA_ROLE_CLAIM,
  OIDC_TEST_AUDIENCE,
  oidcProviderUnavailable,
  startOidcProvider,
  type OidcProvider,
} from "../support/oidc-provider.js";
import { TestSystem, waitFor } from "../support/system.js";

const unavailable = oidcProviderUnavailable();
if (unavailable) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)("sign-in with an OpenID Connect provider (Ory Hydra)", () => {
  const redirectUri = "http://127.0.0.1:9/";
  let provider: OidcProvider;
  let system: TestSystem;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;
  let clientId: string;
  let mia: string;
  let alice: string;

  beforeAll(async () => {
    provider = await startOidcProvider({ postgresUrl: inject("infra").postgresUrl });
    clientId = await provider.registerClient({ redirectUri, audience: [OIDC_TEST_AUDIENCE] });
    system = await TestSystem.start({
      services: ["musical", "reservation", "payment"],
      env: { OIDC_ISSUER_URL: provider.issuer, OIDC_AUDIENCE: OIDC_TEST_AUDIENCE, OIDC_ROLE_CLAIM: HYDRA_ROLE_CLAIM },
    });
    musical = system.client("musical");
    reservation = system.client("reservation");
    mia = await provider.signIn({ clientId, redirectUri, username: "mia", password: "mia-secret-1" });
    alice = await provider.signIn({ clientId, redirectUri, username: "alice", password: "alice-secret-1" });
  }, HYDRA_BUILD_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    musical?.close();
    reservation?.close();
    await system?.stop();
    await provider?.stop();
  });

  it("the provider's access token is its own: RS256 by a key of its JWKS, its issuer, our audience, the role under ext", () => {
    expect(decodeProtectedHeader(alice).alg).toBe("RS256");
    const claims = decodeJwt(alice);
    expect(claims).toMatchObject({ iss: provider.issuer, sub: "alice", ext: { role: "customer" } });
    expect(claims.aud).toEqual([OIDC_TEST_AUDIENCE]);
    expect(claims.role).toBeUndefined(); // nothing at the top level: the services must read ext.role
  });

  it("a manager registers a musical and a customer reserves seats, which get paid", async () => {
    const musicalId = `oidc-${Date.now().toString(36)}`;
    await musical.registerMusical({ musicalId, name: "Wicked", totalSeats: 10, seatPrice: "70000" }, mia);
    const placed = await reservation.placeReservation({ musicalId, seats: 2, idempotencyKey: `${musicalId}-a` }, alice);
    expect(placed.reservation.customerId).toBe("alice");
    await waitFor(
      async () =>
        (await reservation.getReservation({ reservationId: placed.reservation.reservationId }, alice)).reservation.status ===
        "RESERVATION_STATUS_PAID",
      45_000,
      "alice's reservation to be paid",
      250,
    );
    // The local issuer's tokens still work beside the provider's.
    const local = await system.token("boss", "manager");
    expect((await musical.getMusical({ musicalId }, local)).musical.reservableSeats).toBe(8);
  });

  it("a customer's token from the provider cannot register a musical (PERMISSION_DENIED)", async () => {
    const error = await expectStatus(
      musical.registerMusical({ musicalId: "not-alices", name: "Nope", totalSeats: 1, seatPrice: "1" }, alice),
      grpc.status.PERMISSION_DENIED,
    );
    expect(error.details).toMatch(/customer/);
  });

  it("a token the provider issued for another audience is UNAUTHENTICATED", async () => {
    const otherClient = await provider.registerClient({ redirectUri, audience: ["someone-else"] });
    const elsewhere = await provider.signIn({ clientId: otherClient, redirectUri, username: "mia", password: "mia-secret-1" });
    expect(decodeJwt(elsewhere).aud).toEqual(["someone-else"]);
    const error = await expectStatus(
      musical.registerMusical({ musicalId: "elsewhere", name: "X", totalSeats: 1, seatPrice: "1" }, elsewhere),
      grpc.status.UNAUTHENTICATED,
    );
    expect(error.details).toMatch(/aud/);
  });

  it("the provider rotates its signing key: tokens under the new kid are accepted once the services fetch its keys again", async () => {
    const oldKid = decodeProtectedHeader(mia).kid;
    const rotated = await fetch(`${provider.adminUrl}/admin/keys/hydra.jwt.access-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ alg: "RS256", use: "sig", kid: `rotated-${Date.now()}` }),
    });
    expect(rotated.status).toBe(201);
    const fresh = await provider.signIn({ clientId, redirectUri, username: "mia", password: "mia-secret-1" });
    expect(decodeProtectedHeader(fresh).kid).not.toBe(oldKid);
    // jose fetches the JWKS again for an unknown kid, at most every 30 s (so bogus kids cannot flood the provider).
    await waitFor(
      async () => (await musical.listMusicals({}, fresh)).musicals.length > 0,
      45_000,
      "a token signed with the provider's new key to be accepted",
      1_000,
    );
    // The old key's tokens still verify: the provider still publishes it.
    expect((await musical.listMusicals({}, mia)).musicals.length).toBeGreaterThan(0);
  });

  it("the login app refuses a wrong password", async () => {
    await expect(provider.signIn({ clientId, redirectUri, username: "alice", password: "guess" })).rejects.toThrow(/HTTP 401/);
  });
});
