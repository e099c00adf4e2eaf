/**
 * A real OpenID Connect provider for the sign-in tests: Ory Hydra v2.3.0
 * (built by `make tools TOOLS=hydra` into .tools/bin) over the tests'
 * PostgreSQL, with JWT access tokens, and a small login/consent app of our own
 * (Hydra has no user store: it asks this app who signed in and what to grant).
 *
 * The app knows a fixed list of people (OIDC_USERS). Login checks the
 * password; consent grants the requested scopes, the audience asked for (or,
 * when none was, the client's allowed audience) and puts the person's role
 * into the access token's session claims, which Hydra publishes under `ext`
 * (so the services read OIDC_ROLE_CLAIM=ext.role).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { dropDatabaseIfExists, withPgClient } from "../../tools/infra.js";
import { freePort } from "./ports.js";

const root = path.resolve(import.meta.dirname, "../..");
export const HYDRA_BINARY = path.join(root, ".tools/bin/hydra");
/** A first build of Hydra takes minutes on a busy two-core machine. */
export const HYDRA_BUILD_TIMEOUT_MS = 25 * 60_000;

/** The audience OuterPark's access tokens are issued for in these tests (OIDC_AUDIENCE). */
export const OIDC_TEST_AUDIENCE = "outerpark-api";
/** Where Hydra puts the claims the consent app grants into an access token. */
export const HYDRA_ROLE_CLAIM = "ext.role";

export interface OidcUser {
  username: string;
  password: string;
  role: "customer" | "manager";
}

export const OIDC_USERS: readonly OidcUser[] = [
  { username: "alice", password: "alice-secret-1", role: "customer" },
  { username: "bob", password: "bob-secret-1", role: "customer" },
  { username: "mia", password: "mia-secret-1", role: "manager" },
];

/**
 * Why the provider cannot run here, or undefined when it can (Hydra built, or go present to build it).
 * Synchronous, for describe.skipIf.
 */
export function oidcProviderUnavailable(): string | undefined {
  if (existsSync(HYDRA_BINARY)) return undefined;
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status === 0) return undefined;
  return `OpenID Connect sign-in test skipped: ${HYDRA_BINARY} is missing and there is no go toolchain to build it (make tools TOOLS=hydra)`;
}

/** Builds the pinned Hydra with tools/go-tools.sh when it is missing. */
export async function ensureHydra(): Promise<string> {
  if (!existsSync(HYDRA_BINARY)) {
    await promisify(execFile)("bash", [path.join(root, "tools/go-tools.sh"), "hydra"], { timeout: HYDRA_BUILD_TIMEOUT_MS });
  }
  return HYDRA_BINARY;
}

export interface ClientOptions {
  /** Where the provider sends the browser back with ?code=… (the web app's origin + "/"). */
  redirectUri: string;
  /** Audiences the client may ask for; the consent app grants these when none is asked for. */
  audience: string[];
  /** Origins whose pages may call the token endpoint (the web app's). */
  corsOrigins?: string[];
}

export interface OidcProvider {
  /** The issuer, exactly as Hydra's discovery document and tokens name it (OIDC_ISSUER_URL). */
  issuer: string;
  publicUrl: string;
  adminUrl: string;
  /** The login/consent app (Hydra's urls.login and urls.consent). */
  loginAppUrl: string;
  /** Registers a public client (authorization code + PKCE, no secret); returns its client_id. */
  registerClient(options: ClientOptions): Promise<string>;
  /** Signs a person in through the authorization code flow with PKCE over plain HTTP, as a browser would; returns the access token. */
  signIn(options: { clientId: string; redirectUri: string; username: string; password: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: { postgresUrl: string; corsOrigins?: string[] }): Promise<OidcProvider> {
  const hydra = await ensureHydra();
  const id = randomBytes(4).toString("hex");
  const database = `hydra_${id}`;
  const dsnUrl = new URL(options.postgresUrl);
  dsnUrl.pathname = "/postgres";
  await withPgClient(dsnUrl.toString(), 10_000, (client) => client.query(`CREATE DATABASE "${database}"`));
  dsnUrl.pathname = `/${database}`;
  dsnUrl.searchParams.set("sslmode", "disable");
  const dsn = dsnUrl.toString();

  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const loginApp = await startLoginConsentApp(`http://127.0.0.1:${adminPort}`);
  const publicUrl = `http://127.0.0.1:${publicPort}`;
  const dir = mkdtempSync(path.join(tmpdir(), "outerpark-hydra-"));
  const configFile = path.join(dir, "hydra.yaml");
  // Keys checked against Hydra v2.3.0's spec/config.json.
  writeFileSync(
    configFile,
    stringify({
      dsn,
      log: { level: "warn", leak_sensitive_values: false },
      serve: {
        public: {
          host: "127.0.0.1",
          port: publicPort,
          // The web app's page fetches discovery and posts to the token endpoint cross-origin.
          cors: { enabled: true, allowed_origins: options.corsOrigins ?? [], allowed_methods: ["GET", "POST"] },
        },
        admin: { host: "127.0.0.1", port: adminPort },
      },
      urls: { self: { issuer: publicUrl }, login: `${loginApp.url}/login`, consent: `${loginApp.url}/consent` },
      secrets: { system: [randomBytes(24).toString("hex")] },
      strategies: { access_token: "jwt" },
      oauth2: { pkce: { enforced_for_public_clients: true } },
      ttl: { access_token: "1h" },
    }),
  );

  const logDir = path.join(root, ".data/test-logs", `hydra-${id}`);
  mkdirSync(logDir, { recursive: true });
  const env = { ...process.env, DSN: dsn };
  await promisify(execFile)(hydra, ["migrate", "sql", "up", "--read-from-env", "--yes"], { env, timeout: 120_000 });
  const log = createWriteStream(path.join(logDir, "hydra.log"));
  const child: ChildProcess = spawn(hydra, ["serve", "all", "--dev", "--sqa-opt-out", "--config", configFile], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  child.once("exit", () => (exited = true));

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (!exited) child.kill("SIGKILL");
    }
    await loginApp.close();
    rmSync(dir, { recursive: true, force: true });
    if (!process.env.OUTERPARK_TEST_KEEP) await dropDatabaseIfExists(options.postgresUrl, database);
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`hydra exited; see ${logDir}/hydra.log`);
      const ready = await Promise.all([fetch(`${adminUrl}/health/ready`), fetch(`${publicUrl}/health/ready`)]).then(
        (answers) => answers.every((a) => a.ok),
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`hydra not ready after 60 s; see ${logDir}/hydra.log`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const discovery = (await (await fetch(`${publicUrl}/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };

  return {
    issuer: discovery.issuer,
    publicUrl,
    adminUrl,
    loginAppUrl: loginApp.url,
    async registerClient(client) {
      const response = await fetch(`${adminUrl}/admin/clients`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_name: "OuterPark web (test)",
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
          redirect_uris: [client.redirectUri],
          scope: "openid profile",
          audience: client.audience,
          allowed_cors_origins: client.corsOrigins ?? [],
        }),
      });
      if (!response.ok) throw new Error(`hydra: creating a client: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { client_id: string }).client_id;
    },
    signIn: (flow) => signInOverHttp(publicUrl, discovery.token_endpoint, flow),
    stop,
  };
}

// ---------------------------------------------------------------------------
// The login and consent app
// ---------------------------------------------------------------------------

async function startLoginConsentApp(hydraAdminUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const admin = async <T>(method: "GET" | "PUT", pathAndQuery: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${hydraAdminUrl}/admin/oauth2/auth/requests/${pathAndQuery}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`hydra admin ${method} ${pathAndQuery}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const redirect = (res: http.ServerResponse, to: string) => res.writeHead(302, { location: to }).end();
  const page = (res: http.ServerResponse, status: number, html: string) =>
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in to OuterPark</title><style>body{font:16px system-ui;max-width:24rem;margin:4rem auto}label,input,button{display:block;margin:.4rem 0}
input{width:100%;padding:.4rem}button{padding:.5rem 1rem}.error{color:#b00}</style></head><body>${html}</body></html>`);
  const loginForm = (challenge: string, problem?: string) => `<h1>Sign in to OuterPark</h1>
<p>Test identity provider (Ory Hydra ${"v2.3.0"} with OuterPark's login app).</p>
<form method="post" action="/login">
<input type="hidden" name="login_challenge" value="${escapeHtml(challenge)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
${problem ? `<p role="alert" class="error">${escapeHtml(problem)}</p>` : ""}
<button type="submit">Sign in</button>
</form>`;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/login") {
      const challenge = url.searchParams.get("login_challenge") ?? "";
      const request = await admin<{ skip: boolean; subject: string }>("GET", `login?login_challenge=${encodeURIComponent(challenge)}`);
      if (request.skip) {
        const accepted = await admin<{ redirect_to: string }>("PUT", `login/accept?login_challenge=${encodeURIComponent(challenge)}`, {
          subject: request.subject,
        });
        return redirect(res, accepted.redirect_to);
      }
      return page(res, 200, loginForm(challenge));
    }
    if (req.method === "POST" && url.pathname === "/login") {
      const form = new URLSearchParams(await readBody(req));
      const challenge = form.get("login_challenge") ?? "";
      const user = OIDC_USERS.find((u) => u.username === form.get("username") && u.password === form.get("password"));
      if (!user) return page(res, 401, loginForm(challenge, "Unknown username or wrong password."));
      const accepted = await admin<{ redirect_to: string }>("PUT", `login/accept?login_challenge=${encodeURIComponent(challenge)}`, {
        subject: user.username,
        remember: false,
      });
      return redirect(res, accepted.redirect_to);
    }
    if (req.method === "GET" && url.pathname === "/consent") {
      const challenge = url.searchParams.get("consent_challenge") ?? "";
      const request = await admin<{
        subject: string;
        requested_scope?: string[];
        requested_access_token_audience?: string[];
        client?: { audience?: string[] };
      }>("GET", `consent?consent_challenge=${encodeURIComponent(challenge)}`);
      const user = OIDC_USERS.find((u) => u.username === request.subject);
      if (!user) return page(res, 403, "<p>Unknown person.</p>");
      // A first-party app: consent is given without asking; the role goes into the access token (Hydra: under `ext`).
      const requestedAudience = request.requested_access_token_audience ?? [];
      const accepted = await admin<{ redirect_to: string }>("PUT", `consent/accept?consent_challenge=${encodeURIComponent(challenge)}`, {
        grant_scope: request.requested_scope ?? [],
        grant_access_token_audience: requestedAudience.length > 0 ? requestedAudience : (request.client?.audience ?? []),
        remember: false,
        session: { access_token: { role: user.role }, id_token: { role: user.role } },
      });
      return redirect(res, accepted.redirect_to);
    }
    res.writeHead(404).end();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) page(res, 500, `<p role="alert">${escapeHtml(String(error))}</p>`);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 16_384) req.destroy(new Error("body too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------
// The authorization code flow with PKCE, over plain HTTP
// ---------------------------------------------------------------------------

/** Follows the provider's redirects by hand, keeping its cookies (one jar for 127.0.0.1, as a browser would), posting the login form. */
async function signInOverHttp(
  publicUrl: string,
  tokenEndpoint: string,
  flow: { clientId: string; redirectUri: string; username: string; password: string },
): Promise<string> {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  };
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(`${publicUrl}/oauth2/auth`);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: flow.clientId,
    redirect_uri: flow.redirectUri,
    scope: "openid profile",
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();

  let next = authorize.toString();
  for (let hop = 0; hop < 12; hop++) {
    if (next.startsWith(flow.redirectUri)) {
      const back = new URL(next);
      if (back.searchParams.get("error"))
        throw new Error(`sign-in refused: ${back.searchParams.get("error")}: ${back.searchParams.get("error_description")}`);
      if (back.searchParams.get("state") !== state) throw new Error("sign-in: state does not match");
      const token = await fetch(tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: back.searchParams.get("code") ?? "",
          redirect_uri: flow.redirectUri,
          client_id: flow.clientId,
          code_verifier: verifier,
        }),
      });
      if (!token.ok) throw new Error(`token endpoint: HTTP ${token.status} ${await token.text()}`);
      return ((await token.json()) as { access_token: string }).access_token;
    }
    let response = await request(next);
    if (response.status === 200 && new URL(next).pathname === "/login") {
      // The login page: post its form as a person would.
      const challenge = /name="login_challenge" value="([^"]*)"/.exec(await response.text())?.[1] ?? "";
      response = await request(new URL("/login", next).toString(), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          login_challenge: challenge.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
          username: flow.username,
          password: flow.password,
        }),
      });
    }
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`sign-in stopped at ${next}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
    }
    next = new URL(location, next).toString();
  }
  throw new Error("sign-in: too many redirects");
}
