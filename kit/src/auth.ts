import type { DescMethod } from "@bufbuild/protobuf";
import { ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import {
  SignJWT,
  createRemoteJWKSet,
  decodeJwt,
  jwtVerify,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type RemoteJWKSetOptions,
} from "jose";
import type { OidcTrust, PersonRole } from "./config.js";
import { permissionDenied, unauthenticated } from "./errors.js";

export const ROLES = ["customer", "manager", "service"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, taken from a verified bearer token: never from message fields. */
export interface Principal {
  subject: string;
  role: Role;
}

export const ISSUER = "outerpark";
export const AUDIENCE = "outerpark";
/** ECDSA P-256: every Envoy verifies it from a local JWKS; jose signs and verifies it natively. */
export const ALGORITHM = "ES256";
/** Owner of the keys that sign customers' and managers' tokens (the sign-in, the `token` command). */
export const ISSUER_KEY_OWNER = "issuer";

export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "caller" });

/**
 * Whom a key speaks for: the part of its kid before the first ":", e.g.
 * "issuer:2026-11" or "reservation:2026-11". An issuer key signs customers'
 * and managers' tokens only; a service's key signs that service's own token only.
 */
export function keyOwnerOf(kid: string): string {
  return kid.split(":")[0] ?? "";
}

/** A private key and the kid that names its owner. */
export interface SigningKey {
  kid: string;
  key: KeyObject;
}

/** A private JWK (JSON text or parsed), checked to be an ES256 key that carries a kid. */
export function signingKeyOf(jwk: string | JWK, what = "signing key"): SigningKey {
  const parsed = typeof jwk === "string" ? (parseJson(jwk, what) as JWK) : jwk;
  if (parsed.kty !== "EC" || parsed.crv !== "P-256" || typeof parsed.d !== "string") throw new Error(`${what} must be a private EC P-256 JWK`);
  if (typeof parsed.kid !== "string" || !keyOwnerOf(parsed.kid)) throw new Error(`${what} must have a kid "<owner>:<version>"`);
  return { kid: parsed.kid, key: createPrivateKey({ key: parsed as JsonWebKey, format: "jwk" }) };
}

export async function mintToken(options: { key: SigningKey; subject: string; role: Role; ttlSeconds?: number }): Promise<string> {
  // The verifier would refuse a mismatch anyway; failing here names the mistake.
  const owner = keyOwnerOf(options.key.kid);
  const allowed = options.role === "service" ? owner === options.subject : owner === ISSUER_KEY_OWNER;
  if (!allowed) throw new Error(`a key of "${owner}" cannot sign a ${options.role} token for "${options.subject}"`);
  return new SignJWT({ role: options.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: options.key.kid })
    .setSubject(options.subject)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(options.key.key);
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Checks tokens against a public JWKS. The signature must be ES256 by a key of
 * the set, named by the token's kid; `exp` is required; and the key must speak
 * for the caller: issuer keys for customers and managers, a service's own key
 * for that service (sub = the key's owner). So a service pod, which holds at
 * most its own private key, can mint neither a customer's nor a manager's
 * token, nor another service's.
 *
 * With `oidc`, an OpenID Connect provider's access tokens are accepted too: a
 * token is routed by its (unverified) `iss`, then verified against the
 * provider's JWKS pinned to its issuer, audience and algorithms. Its role comes
 * from the configured claim, mapped to customer or manager; never service.
 */
export function createTokenVerifier(
  jwks: string,
  options: { cacheSize?: number; oidc?: OidcTrust | undefined; remoteJwks?: RemoteJWKSetOptions } = {},
): TokenVerifier {
  const keys = publicKeysOf(jwks);
  const provider = options.oidc ? oidcVerifier(options.oidc, options.remoteJwks) : undefined;
  // An ES256 verify costs more CPU than the rest of a read call; a customer sends the same token until it expires.
  // A token string verified once stays valid (signed claims) until its exp, checked on every hit.
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  return async (token) => {
    const hit = verified.get(token);
    if (hit) {
      if (Date.now() < hit.expiresAtMs) return hit.principal;
      verified.delete(token); // expired: verification below says so
    }
    const { principal, expiresAtMs } = provider?.issued(token) ? await provider.verify(token) : await verifyToken(keys, token);
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!); // oldest first
    verified.set(token, { principal, expiresAtMs });
    return principal;
  };
}

async function verifyToken(
  keys: Map<string, { owner: string; key: KeyObject }>,
  token: string,
): Promise<{ principal: Principal; expiresAtMs: number }> {
  try {
    let owner = "";
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const found = header.kid === undefined ? undefined : keys.get(header.kid);
        if (!found) throw unauthenticated("invalid token: unknown signing key");
        owner = found.owner;
        return found.key;
      },
      { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALGORITHM], requiredClaims: ["exp", "sub"] },
    );
    const role = payload.role;
    if (typeof payload.sub !== "string" || payload.sub === "") throw unauthenticated("token has no subject");
    if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) throw unauthenticated("token has no valid role");
    const keySpeaksForCaller = role === "service" ? owner === payload.sub : owner === ISSUER_KEY_OWNER;
    if (!keySpeaksForCaller) throw unauthenticated(`invalid token: a key of "${owner}" cannot sign for this caller`);
    // `exp` is required, so jwtVerify has checked it is a number.
    return { principal: Object.freeze({ subject: payload.sub, role: role as Role }), expiresAtMs: payload.exp! * 1000 };
  } catch (error) {
    throw refusalOf(error);
  }
}

/** jose's failures as UNAUTHENTICATED with a message a caller can act on; anything else unchanged. */
function refusalOf(error: unknown): unknown {
  if (error instanceof joseErrors.JWTExpired) return unauthenticated("token expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) return unauthenticated(`invalid token: ${error.message}`);
  if (error instanceof joseErrors.JWKSNoMatchingKey) return unauthenticated("invalid token: unknown signing key");
  if (error instanceof joseErrors.JOSEError) return unauthenticated(`invalid token: ${error.code}`);
  return error;
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, "");

/** Higher roles first: a person holding several gets the highest. */
const ROLE_RANK: readonly PersonRole[] = ["manager", "customer"];

/** The role a provider's claims give, after the role map; never "service", whatever the claims say. */
export function roleFromClaims(claims: JWTPayload, trust: Pick<OidcTrust, "roleClaim" | "roleMap">): PersonRole | undefined {
  let value: unknown = claims;
  for (const part of trust.roleClaim)
    value = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
  const granted = new Set(values.map((v) => (Object.hasOwn(trust.roleMap, v) ? trust.roleMap[v] : undefined)));
  return ROLE_RANK.find((role) => granted.has(role));
}

/**
 * An OpenID Connect provider's access tokens: its keys are found by discovery
 * (<issuer>/.well-known/openid-configuration -> jwks_uri) on the first such
 * token, then held by jose's remote JWKS, which caches them and fetches the
 * set again when a token names a kid it does not know (key rotation).
 */
function oidcVerifier(trust: OidcTrust, remoteJwks: RemoteJWKSetOptions | undefined) {
  const expectedIssuer = withoutTrailingSlash(trust.issuerUrl);
  let discovered: Promise<{ issuer: string; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  const discover = () =>
    (discovered ??= (async () => {
      const url = `${expectedIssuer}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (typeof doc.issuer !== "string" || withoutTrailingSlash(doc.issuer) !== expectedIssuer) {
        throw new Error(`${url} names issuer ${JSON.stringify(doc.issuer)}, not ${trust.issuerUrl}`);
      }
      if (typeof doc.jwks_uri !== "string") throw new Error(`${url} has no jwks_uri`);
      return { issuer: doc.issuer, keys: createRemoteJWKSet(new URL(doc.jwks_uri), remoteJwks) };
    })().catch((error: unknown) => {
      discovered = undefined; // try again with the next token
      throw error;
    }));
  return {
    /** The token says the provider issued it (unverified: this only picks the keys to check it with). */
    issued(token: string): boolean {
      try {
        const iss = decodeJwt(token).iss;
        return typeof iss === "string" && iss !== ISSUER && withoutTrailingSlash(iss) === expectedIssuer;
      } catch {
        return false; // not a JWT: the local path says why
      }
    },
    async verify(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
      let payload: JWTPayload;
      try {
        const { issuer, keys } = await discover();
        ({ payload } = await jwtVerify(token, keys, {
          issuer,
          audience: trust.audience,
          algorithms: trust.algorithms,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal instanceof ConnectError) throw refusal;
        const reason = error instanceof Error ? error.message : String(error);
        throw unauthenticated(`cannot check the token: the OpenID Connect provider's keys are unavailable (${reason})`);
      }
      if (typeof payload.sub !== "string" || payload.sub === "") throw unauthenticated("token has no subject");
      const role = roleFromClaims(payload, trust);
      if (!role) throw unauthenticated(`token has no valid role: claim ${trust.roleClaim.join(".")} maps to neither customer nor manager`);
      return { principal: Object.freeze({ subject: payload.sub, role }), expiresAtMs: payload.exp! * 1000 };
    },
  };
}

/** The public keys of a JWKS by kid. Refuses private or symmetric keys: the set is handed to every pod. */
function publicKeysOf(jwks: string): Map<string, { owner: string; key: KeyObject }> {
  if (jwks.trim() === "") throw new Error("JWT_JWKS (or JWT_JWKS_FILE) must be set: the public keys tokens are checked against");
  const set = parseJson(jwks, "JWT_JWKS") as JSONWebKeySet;
  if (!Array.isArray(set?.keys) || set.keys.length === 0) throw new Error("JWT_JWKS must be a JWKS with at least one key");
  const keys = new Map<string, { owner: string; key: KeyObject }>();
  for (const jwk of set.keys) {
    if (typeof jwk.kid !== "string" || !keyOwnerOf(jwk.kid)) throw new Error(`JWT_JWKS: every key needs a kid "<owner>:<version>"`);
    if (jwk.kty !== "EC" || jwk.crv !== "P-256") throw new Error(`JWT_JWKS: key ${jwk.kid} is not an EC P-256 public key`);
    if ("d" in jwk) throw new Error(`JWT_JWKS: key ${jwk.kid} contains private key material`);
    const { kty, crv, x, y } = jwk;
    keys.set(jwk.kid, { owner: keyOwnerOf(jwk.kid), key: createPublicKey({ key: { kty, crv, x, y } as JsonWebKey, format: "jwk" }) });
  }
  return keys;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

/**
 * Verifies the bearer token of every call except those to the public services
 * (health, reflection) and public methods (the catalog reads), and puts the
 * caller into the handler context. A public method called with a token still
 * has it verified: a bad token is refused rather than silently ignored. It
 * runs as Connect's request gate, on the headers alone: a caller without a
 * valid token never gets the service to read, inflate or parse its body.
 */
export function authGate(
  verify: TokenVerifier,
  publicServices: readonly string[],
  publicMethods: readonly DescMethod[] = [],
): (ctx: HandlerContext) => Promise<void> {
  const isPublicService = new Set(publicServices);
  const isPublicMethod = new Set(publicMethods.map((m) => `${m.parent.typeName}/${m.name}`));
  return async (ctx) => {
    if (isPublicService.has(ctx.service.typeName)) return;
    const header = ctx.requestHeader.get("authorization") ?? "";
    if (header === "" && isPublicMethod.has(`${ctx.service.typeName}/${ctx.method.name}`)) return;
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated("missing bearer token");
    ctx.values.set(principalKey, await verify(match[1].trim()));
  };
}

/** Adds a bearer token to outgoing calls (service to service). */
export function bearerInterceptor(token: () => Promise<string>): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${await token()}`);
    return next(req);
  };
}

/** A service's own token for internal calls, signed with its own key, renewed well before it expires. */
export function serviceTokenSource(signingKey: string, service: string): () => Promise<string> {
  if (signingKey.trim() === "") {
    throw new Error(`SERVICE_SIGNING_KEY (or SERVICE_SIGNING_KEY_FILE) must be set: ${service} signs its calls to other services with its own key`);
  }
  const key = signingKeyOf(signingKey, "SERVICE_SIGNING_KEY");
  if (keyOwnerOf(key.kid) !== service) throw new Error(`SERVICE_SIGNING_KEY belongs to "${keyOwnerOf(key.kid)}", not to ${service}`);
  const ttlSeconds = 600;
  let cached: { token: string; renewAt: number } | undefined;
  return async () => {
    if (!cached || Date.now() >= cached.renewAt) {
      cached = { token: await mintToken({ key, subject: service, role: "service", ttlSeconds }), renewAt: Date.now() + (ttlSeconds / 2) * 1000 };
    }
    return cached.token;
  };
}

export function callerOf(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(principalKey);
  if (!principal) throw unauthenticated("missing bearer token");
  return principal;
}

export function requireRole(ctx: HandlerContext, ...roles: Role[]): Principal {
  const principal = callerOf(ctx);
  if (!roles.includes(principal.role)) throw permissionDenied(`role ${principal.role} may not call this method`);
  return principal;
}

/** Calls only one service may make, e.g. musical's seat calls from reservation. */
export function requireService(ctx: HandlerContext, service: string): Principal {
  const principal = callerOf(ctx);
  if (principal.role !== "service" || principal.subject !== service) throw permissionDenied(`only the ${service} service may call this method`);
  return principal;
}

/** Customers see only their own data; staff roles are checked by requireRole. */
export function requireOwner(principal: Principal, ownerId: string, what: string): void {
  if (principal.role === "customer" && principal.subject !== ownerId) throw permissionDenied(`${what} belongs to another customer`);
}
