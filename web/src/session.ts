/** The signed-in person, as far as the app needs to know: the token itself is checked by the services, not here. */
export interface Session {
  token: string;
  subject: string;
  role: "customer" | "manager";
  expiresAt: number;
}

const STORAGE_KEY = "outerpark.session";

/** Reads who a token names (display and navigation only; the services verify the signature). */
export function sessionOf(token: string): Session {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))),
  ) as {
    sub?: string;
    iss?: string;
    exp?: number;
  };
  const role = roleOf(claims);
  if (!claims.sub || !role || !claims.exp) throw new Error("token lacks sub, role or exp");
  return { token, subject: claims.sub, role, expiresAt: claims.exp * 1000 };
}

/** Where an OpenID Connect provider's tokens carry the role: /config.json's oidc.roleClaim and roleMap, as the services read them. */
export interface RoleMapping {
  roleClaim?: string;
  roleMap?: Record<string, string>;
}
let providerRoles: RoleMapping = {};

/** Called once at start with config.oidc, before any session is read. */
export function setRoleMapping(mapping: RoleMapping | undefined): void {
  providerRoles = mapping ?? {};
}

/** The local issuer's tokens carry `role`; a provider's, the configured claim (a string or a list: the highest counts). */
function roleOf(claims: Record<string, unknown>): Session["role"] | undefined {
  const local = claims.iss === "outerpark" || !providerRoles.roleClaim;
  let value: unknown = claims;
  for (const part of (local ? "role" : providerRoles.roleClaim!).split("."))
    value = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  const map = (!local && providerRoles.roleMap) || { customer: "customer", manager: "manager" };
  const roles = new Set((Array.isArray(value) ? value : [value]).map((v) => (typeof v === "string" && Object.hasOwn(map, v) ? map[v] : undefined)));
  return roles.has("manager") ? "manager" : roles.has("customer") ? "customer" : undefined;
}

export function loadSession(): Session | undefined {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return undefined;
  try {
    const session = sessionOf(token);
    return session.expiresAt > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, session.token);
  else sessionStorage.removeItem(STORAGE_KEY);
}
