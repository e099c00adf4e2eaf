import { cors } from "@connectrpc/connect";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;

/** The app's own header beside Connect's, gRPC-Web's and gRPC's: the bearer token. */
const ALLOWED_HEADERS = [...cors.allowedHeaders, "Authorization"].join(", ");
const ALLOWED_METHODS = [...cors.allowedMethods, "OPTIONS"].join(", ");
const EXPOSED_HEADERS = cors.exposedHeaders.join(", ");
/** Browsers cap it anyway (Chromium: 2 h); it saves a preflight per call. */
const PREFLIGHT_MAX_AGE_SECONDS = "7200";

/**
 * Lets browsers on the configured origins (CORS_ORIGINS, e.g. the web app's
 * http://localhost:8080) call the service cross-origin. A request from any
 * other origin gets no CORS headers, so the browser withholds the answer; its
 * preflight is passed on like any request. No credentials (cookies) are
 * allowed: the app sends its token in the authorization header.
 */
export function withCors<H extends NodeHandlerFn>(handler: H, allowedOrigins: readonly string[]): H {
  if (allowedOrigins.length === 0) return handler;
  const allowed = new Set(allowedOrigins);
  return ((req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== "string" || !allowed.has(origin)) return handler(req, res);
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
      res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      res.setHeader("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS);
      res.statusCode = 204;
      res.end();
      return;
    }
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    handler(req, res);
  }) as H;
}

/** CORS_ORIGINS: a comma-separated list of exact origins ("scheme://host[:port]"); "" allows none. */
export function readCorsOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const origins = (env.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new Error(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`);
    }
    if (parsed.origin !== origin) throw new Error(`CORS_ORIGINS: "${origin}" is not an origin; did you mean "${parsed.origin}"?`);
  }
  return origins;
}
