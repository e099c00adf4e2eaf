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
  const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string; role?: string; exp?: number };
  if (!claims.sub || (claims.role !== "customer" && claims.role !== "manager") || !claims.exp) throw new Error("token lacks sub, role or exp");
  return { token, subject: claims.sub, role: claims.role, expiresAt: claims.exp * 1000 };
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
