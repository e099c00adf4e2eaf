import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, mintToken, serviceTokenSource, signingKeyOf } from "./auth.js";
import { readOidcTrust, readServiceConfig } from "./config.js";

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateJwk: { ...privateKey.export({ format: "jwk" }), kid }, publicJwk: { ...publicKey.export({ format: "jwk" }), kid } };
}

const issuer = keyPair("issuer:1");
const reservation = keyPair("reservation:1");
const jwks = JSON.stringify({ keys: [issuer.publicJwk, reservation.publicJwk] });

async function refusal(promise: Promise<unknown>): Promise<ConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe("token verifier", () => {
  const verify = createTokenVerifier(jwks);

  it("accepts an issuer-signed customer token and reservation's own service token", async () => {
    const customer = await mintToken({ key: signingKeyOf(issuer.privateJwk), subject: "alice", role: "customer" });
    expect(await verify(customer)).toEqual({ subject: "alice", role: "customer" });
    const service = await serviceTokenSource(JSON.stringify(reservation.privateJwk), "reservation")();
    expect(await verify(service)).toEqual({ subject: "reservation", role: "service" });
  });

  it("refuses to start with a JWKS that is missing, or holds a private or symmetric key", () => {
    expect(() => createTokenVerifier("")).toThrow(/JWT_JWKS/);
    expect(() => createTokenVerifier(JSON.stringify({ keys: [issuer.privateJwk] }))).toThrow(/private key material/);
    expect(() => createTokenVerifier(JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0", kid: "issuer:hs" }] }))).toThrow(/EC P-256/);
    expect(() => createTokenVerifier(JSON.stringify({ keys: [{ ...issuer.publicJwk, kid: undefined }] }))).toThrow(/kid/);
  });

  it("a service cannot start with another owner's key", () => {
    expect(() => serviceTokenSource("", "reservation")).toThrow(/SERVICE_SIGNING_KEY/);
    expect(() => serviceTokenSource(JSON.stringify(issuer.privateJwk), "reservation")).toThrow(/belongs to "issuer"/);
  });

  it("mintToken will not sign for someone its key does not speak for", async () => {
    await expect(mintToken({ key: signingKeyOf(reservation.privateJwk), subject: "alice", role: "customer" })).rejects.toThrow(/cannot sign/);
    await expect(mintToken({ key: signingKeyOf(issuer.privateJwk), subject: "reservation", role: "service" })).rejects.toThrow(/cannot sign/);
  });

  it("a token verified once is refused again when it expires, and a changed copy of it is never taken from the cache", async () => {
    // `exp` counts whole seconds: minted just after a second begins, the token surely lives ~2 s (minted late in a second, a 1 s token could expire before the first checks).
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    const token = await mintToken({ key: signingKeyOf(issuer.privateJwk), subject: "alice", role: "customer", ttlSeconds: 2 });
    expect(await verify(token)).toEqual({ subject: "alice", role: "customer" });
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: "manager" })).toString("base64url");
    expect((await refusal(verify(`${header}.${promoted}.${signature}`))).code).toBe(Code.Unauthenticated);
    expect(await verify(token)).toEqual({ subject: "alice", role: "customer" });
    await new Promise((resolve) => setTimeout(resolve, claims.exp * 1000 - Date.now() + 10));
    const expired = await refusal(verify(token));
    expect(expired.code).toBe(Code.Unauthenticated);
    expect(expired.rawMessage).toBe("token expired");
  });

  it("an unknown kid is UNAUTHENTICATED", async () => {
    const stranger = keyPair("issuer:2");
    const token = await mintToken({ key: signingKeyOf(stranger.privateJwk), subject: "alice", role: "customer" });
    expect((await refusal(verify(token))).code).toBe(Code.Unauthenticated);
  });
});

describe("auth configuration", () => {
  it("reads the JWKS and the signing key from files (how Kubernetes and make up hand them over)", () => {
    const dir = mkdtempSync(join(tmpdir(), "outerpark-auth-"));
    writeFileSync(join(dir, "jwks.json"), jwks);
    writeFileSync(join(dir, "key.json"), JSON.stringify(reservation.privateJwk));
    const config = readServiceConfig("reservation", { JWT_JWKS_FILE: join(dir, "jwks.json"), SERVICE_SIGNING_KEY_FILE: join(dir, "key.json") });
    expect(config.jwks).toBe(jwks);
    expect(JSON.parse(config.signingKey)).toEqual(reservation.privateJwk);
    expect(() => readServiceConfig("musical", { JWT_JWKS: jwks, JWT_JWKS_FILE: "x" })).toThrow(/not both/);
    expect(() => readServiceConfig("musical", { PAGE_TOKEN_SECRET: "short" })).toThrow(/PAGE_TOKEN_SECRET/);
  });
});

describe("OpenID Connect provider tokens", () => {
  // A provider of our own over real HTTP: discovery, and a JWKS whose keys the test rotates.
  let server: Server;
  let issuerUrl = "";
  let published: JWK[] = [];
  let jwksFetches = 0;
  const rsaKey = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
  };
  let first: Awaited<ReturnType<typeof rsaKey>>;
  const trust = (env: Record<string, string> = {}) =>
    readOidcTrust({ OIDC_ISSUER_URL: issuerUrl, OIDC_AUDIENCE: "outerpark-api", OIDC_ROLE_CLAIM: "ext.role", ...env });
  const providerToken = (
    key: { kid: string; privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"] },
    claims: Record<string, unknown> = { ext: { role: "customer" } },
    options: { iss?: string; aud?: string; sub?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(options.iss ?? issuerUrl)
      .setAudience(options.aud ?? "outerpark-api")
      .setSubject(options.sub ?? "alice")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key.privateKey);

  beforeAll(async () => {
    first = await rsaKey("provider-1");
    published = [first.publicJwk];
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") {
        res.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/keys` }));
      } else if (req.url === "/keys") {
        jwksFetches += 1;
        res.end(JSON.stringify({ keys: published }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts the provider's token with the role from the claim path, and still the local issuer's", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust() });
    expect(await verify(await providerToken(first))).toEqual({ subject: "alice", role: "customer" });
    // An array of roles: the highest counts.
    expect(await verify(await providerToken(first, { ext: { role: ["customer", "manager"] } }, { sub: "mia" }))).toEqual({
      subject: "mia",
      role: "manager",
    });
    const local = await mintToken({ key: signingKeyOf(issuer.privateJwk), subject: "bob", role: "customer" });
    expect(await verify(local)).toEqual({ subject: "bob", role: "customer" });
  });

  it("maps provider values with OIDC_ROLE_MAP; unmapped values give no role", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust({ OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "staff=manager,fans=customer" }) });
    expect(await verify(await providerToken(first, { groups: ["fans", "staff"] }))).toEqual({ subject: "alice", role: "manager" });
    expect((await refusal(verify(await providerToken(first, { groups: ["manager"] })))).rawMessage).toMatch(/no valid role: claim groups/);
  });

  it("refuses a token for another audience", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust() });
    const error = await refusal(verify(await providerToken(first, undefined, { aud: "someone-else" })));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(/aud/);
  });

  it("refuses a token from another issuer, even one signed with the provider's key", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust() });
    for (const iss of ["https://login.example.com", "outerpark"]) {
      const error = await refusal(verify(await providerToken(first, undefined, { iss })));
      expect(error.code).toBe(Code.Unauthenticated);
    }
  });

  it("refuses a token without a role, or one claiming the service role (which no provider may grant)", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust() });
    for (const claims of [{}, { ext: {} }, { role: "manager" }, { ext: { role: "service" } }, { ext: { role: ["service"] } }]) {
      const error = await refusal(verify(await providerToken(first, claims, { sub: "reservation" })));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(/no valid role/);
    }
    expect(() => trust({ OIDC_ROLE_MAP: "robots=service" })).toThrow(/never service/);
  });

  it("fetches the provider's keys again for a kid it does not know yet (key rotation)", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust(), remoteJwks: { cooldownDuration: 0 } });
    expect(await verify(await providerToken(first))).toEqual({ subject: "alice", role: "customer" });
    const before = jwksFetches;
    const second = await rsaKey("provider-2");
    published = [first.publicJwk, second.publicJwk];
    expect(await verify(await providerToken(second, undefined, { sub: "carol" }))).toEqual({ subject: "carol", role: "customer" });
    expect(jwksFetches).toBe(before + 1);
    // A kid the provider never published stays unknown.
    const stranger = await rsaKey("provider-3");
    expect((await refusal(verify(await providerToken(stranger)))).rawMessage).toBe("invalid token: unknown signing key");
    published = [first.publicJwk];
  });

  it("a provider that cannot be reached: UNAUTHENTICATED saying so, and discovery is tried again with the next token", async () => {
    const verify = createTokenVerifier(jwks, { oidc: trust({ OIDC_ISSUER_URL: "http://127.0.0.1:1" }) });
    const token = await providerToken(first, undefined, { iss: "http://127.0.0.1:1" });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await refusal(verify(token));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(/OpenID Connect provider's keys are unavailable/);
    }
  });

  it("reads OIDC_* once with the other auth settings, and refuses incomplete or unsafe settings", () => {
    const config = readServiceConfig("musical", { OIDC_ISSUER_URL: "https://login.example.com/", OIDC_AUDIENCE: "outerpark" });
    expect(config.oidc).toEqual({
      issuerUrl: "https://login.example.com/",
      audience: "outerpark",
      algorithms: ["RS256", "ES256"],
      roleClaim: ["role"],
      roleMap: { customer: "customer", manager: "manager" },
    });
    expect(readServiceConfig("musical", {}).oidc).toBeUndefined();
    expect(() => readOidcTrust({ OIDC_ISSUER_URL: "https://login.example.com" })).toThrow(/OIDC_AUDIENCE/);
    expect(() => readOidcTrust({ OIDC_AUDIENCE: "outerpark" })).toThrow(/without OIDC_ISSUER_URL/);
    expect(() => readOidcTrust({ OIDC_ISSUER_URL: "https://x", OIDC_AUDIENCE: "a", OIDC_ALGORITHMS: "HS256" })).toThrow(/HS256/);
  });
});
