import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createTokenVerifier, mintToken, serviceTokenSource, signingKeyOf } from "./auth.js";
import { readServiceConfig } from "./config.js";

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
