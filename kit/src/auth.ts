import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
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
const ALGORITHM = "HS256";

export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "caller" });

function keyOf(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error("JWT secret must be at least 32 characters");
  return new TextEncoder().encode(secret);
}

export async function mintToken(options: { secret: string; subject: string; role: Role; ttlSeconds?: number }): Promise<string> {
  return new SignJWT({ role: options.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(options.subject)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(keyOf(options.secret));
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(secret: string): TokenVerifier {
  const key = keyOf(secret);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALGORITHM] });
      const role = payload.role;
      if (typeof payload.sub !== "string" || payload.sub === "") throw unauthenticated("token has no subject");
      if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) throw unauthenticated("token has no valid role");
      return { subject: payload.sub, role: role as Role };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated("token expired");
      if (error instanceof joseErrors.JOSEError) throw unauthenticated(`invalid token: ${error.code}`);
      throw error;
    }
  };
}

/**
 * Verifies the bearer token of every call except those to the public services
 * (health, reflection), and puts the caller into the handler context. It runs
 * as Connect's request gate, on the headers alone: a caller without a valid
 * token never gets the service to read, inflate or parse its body.
 */
export function authGate(verify: TokenVerifier, publicServices: readonly string[]): (ctx: HandlerContext) => Promise<void> {
  const isPublic = new Set(publicServices);
  return async (ctx) => {
    if (isPublic.has(ctx.service.typeName)) return;
    const header = ctx.requestHeader.get("authorization") ?? "";
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

/** A service's own token for internal calls, renewed well before it expires. */
export function serviceTokenSource(secret: string, service: string): () => Promise<string> {
  const ttlSeconds = 600;
  let cached: { token: string; renewAt: number } | undefined;
  return async () => {
    if (!cached || Date.now() >= cached.renewAt) {
      cached = { token: await mintToken({ secret, subject: service, role: "service", ttlSeconds }), renewAt: Date.now() + (ttlSeconds / 2) * 1000 };
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

/** Customers see only their own data; staff roles are checked by requireRole. */
export function requireOwner(principal: Principal, ownerId: string, what: string): void {
  if (principal.role === "customer" && principal.subject !== ownerId) throw permissionDenied(`${what} belongs to another customer`);
}
