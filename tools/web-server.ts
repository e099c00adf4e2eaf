/**
 * The web app's static server (plain node:http): the built files of web/
 * (dist/web), its /config.json (where the APIs are, how to sign in) and, only
 * where the caller passes the issuer's key (`make up`, the browser test), the
 * development sign-in: POST /dev/sign-in {sub, role} answers with a token
 * minted here, so the key never reaches the browser. `outerpark web` (the
 * image, the chart) never enables it.
 */
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { mintToken, type SigningKey } from "#kit/auth.js";
import { readRoleMapping } from "#kit/config.js";

export interface WebAppConfig {
  /** Base URL per service; "" = the page's own origin (behind the Envoy edge). */
  services: Record<"musical" | "reservation" | "customercenter", string>;
  devSignIn: boolean;
  /** roleClaim/roleMap: where the provider's tokens carry the role (OIDC_ROLE_CLAIM/OIDC_ROLE_MAP, as the services read them). */
  oidc?: { issuer: string; clientId: string; roleClaim?: string; roleMap?: Record<string, string> };
}

export interface WebServerOptions {
  /** The built app (vite build's output). */
  dir: string;
  host: string;
  port: number;
  config: Omit<WebAppConfig, "devSignIn">;
  /** The issuer's private key: enables POST /dev/sign-in. Local runs and tests only. */
  devSignInKey?: SigningKey;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** Dev sign-in subjects: a short plain name, nothing that could smuggle claims or paths. */
const SUBJECT = /^[A-Za-z0-9_-]{1,64}$/;
const DEV_TOKEN_TTL_SECONDS = 8 * 3600;
const MAX_SIGN_IN_BODY = 1024;

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = path.resolve(options.dir);
  const config: WebAppConfig = { ...options.config, devSignIn: options.devSignInKey !== undefined };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://app");
    res.setHeader("x-content-type-options", "nosniff");
    if (url.pathname === "/dev/sign-in") return devSignIn(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return answer(res, 405, "text/plain", "method not allowed");
    if (url.pathname === "/config.json") {
      res.setHeader("cache-control", "no-store");
      return answer(res, 200, CONTENT_TYPES[".json"]!, JSON.stringify(config));
    }
    if (url.pathname === "/healthz") return answer(res, 200, "text/plain", "ok");
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return answer(res, 400, "text/plain", "malformed path");
    }
    const file = path.resolve(root, "." + decoded);
    if (file !== root && !file.startsWith(root + path.sep)) return answer(res, 404, "text/plain", "not found");
    const found = await stat(file).catch(() => undefined);
    // The app routes by hash, so only "/" and real files exist; anything else is a 404, not index.html.
    const served = found?.isFile() ? file : url.pathname === "/" ? path.join(root, "index.html") : undefined;
    if (!served) return answer(res, 404, "text/plain", "not found");
    // Vite fingerprints assets: cache them for good; index.html must always be fresh.
    res.setHeader("cache-control", served.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
    return answer(res, 200, CONTENT_TYPES[path.extname(served)] ?? "application/octet-stream", await readFile(served), req.method === "HEAD");
  }

  async function devSignIn(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const key = options.devSignInKey;
    if (!key) return answer(res, 404, "text/plain", "development sign-in is disabled");
    if (req.method !== "POST") return answer(res, 405, "text/plain", "POST {sub, role}");
    let body = "";
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > MAX_SIGN_IN_BODY) return answer(res, 413, "text/plain", "too large");
    }
    let request: { sub?: unknown; role?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return answer(res, 400, "text/plain", "body must be JSON {sub, role}");
    }
    const { sub, role } = request;
    if (typeof sub !== "string" || !SUBJECT.test(sub)) return answer(res, 400, "text/plain", "sub: 1-64 letters, digits, - or _");
    if (role !== "customer" && role !== "manager") return answer(res, 400, "text/plain", 'role: "customer" or "manager"');
    const token = await mintToken({ key, subject: sub, role, ttlSeconds: DEV_TOKEN_TTL_SECONDS });
    res.setHeader("cache-control", "no-store");
    return answer(res, 200, CONTENT_TYPES[".json"]!, JSON.stringify({ token }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === "0.0.0.0" || options.host === "127.0.0.1" ? "localhost" : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer, headOnly = false): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}

/**
 * `outerpark web`: the app for a deployment behind the Envoy edge, which serves
 * app and APIs from one origin (so every base URL is ""). Sign-in is the OIDC
 * provider's (OIDC_ISSUER_URL, OIDC_CLIENT_ID); there is no development sign-in.
 */
export async function runWebServerProcess(rootDir: string): Promise<void> {
  const env = process.env;
  const issuer = env.OIDC_ISSUER_URL ?? "";
  const clientId = env.OIDC_CLIENT_ID ?? "";
  if ((issuer === "") !== (clientId === "")) throw new Error("set both OIDC_ISSUER_URL and OIDC_CLIENT_ID, or neither");
  const { roleClaim, roleMap } = readRoleMapping(env);
  const server = await startWebServer({
    dir: env.WEB_DIR ?? path.join(rootDir, "dist/web"),
    host: env.HOST ?? "0.0.0.0",
    port: Number(env.PORT ?? 8088),
    config: {
      services: { musical: "", reservation: "", customercenter: "" },
      ...(issuer ? { oidc: { issuer, clientId, roleClaim: roleClaim.join("."), roleMap } } : {}),
    },
  });
  process.stderr.write(`web app on ${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
