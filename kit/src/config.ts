/** Reads configuration from the environment, failing fast with the variable's name. */
import { readFileSync } from "node:fs";

export const SERVICE_NAMES = ["musical", "reservation", "payment", "notice", "customercenter"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  musical: 8081,
  reservation: 8082,
  payment: 8083,
  notice: 8084,
  customercenter: 8085,
};

/** Each service's `/metrics` port (Prometheus text format): its RPC port + 1000, apart so the edge never routes it. */
export const DEFAULT_METRICS_PORTS = Object.fromEntries(SERVICE_NAMES.map((name) => [name, DEFAULT_PORTS[name] + 1000])) as Record<
  ServiceName,
  number
>;

/** The simulated payment gateway (tools/simulated-gateway.ts), standing in for the card processor payment calls. */
export const DEFAULT_GATEWAY_PORT = 8090;

/**
 * V8 flags of every service process (the image's ENTRYPOINT, `make up`, the tests). Node's defaults let the heap
 * grow lazily (170–220 MiB resident under a rush); a 100 MiB old space bounds it. The young generation is a trade:
 * 2 MiB semi-spaces kept services ~12 MiB smaller, but once the saga's statements were cut, scavenges became the
 * largest cost left (GC 15–35 % of busy time). Back to back in `make bench` (2026-12-02), 2 → 8 MiB: services' CPU
 * per reservation 5.8 → 4.9 ms, rush 250 → 274/s, end to end 179 → 210/s, GetMusical 0.52 → 0.62× its ceiling,
 * observability 13.5 → 7.8 %; peak RSS musical 168 → 182, payment 154 → 165, reservation 146 → 154 MiB.
 * TurboFan compiles on the main thread (`--no-concurrent-recompilation`): on two busy cores a background compiler
 * only competes for them, and its zones (freed later, from another thread) lifted every service's peak. Alternating
 * fresh systems (2026-12-03): peak RSS musical 190 / 169 → 161 / 161, reservation 148 / 140 → 142 / 138, payment
 * 136 / 143 → 124 / 124 MiB; services' CPU per rush reservation 10.9 / 10.6 → 6.2 / 8.5 ms.
 */
export const SERVICE_NODE_FLAGS = ["--max-semi-space-size=8", "--max-old-space-size=100", "--no-concurrent-recompilation"] as const;

/**
 * The heap sizes among SERVICE_NODE_FLAGS. The image sets them as its NODE_OPTIONS, not on node's command line, where
 * they would win over any NODE_OPTIONS: a deployment that sizes the heap to its pod (NODE_OPTIONS in a service's
 * extraEnv) replaces them and gets the heap it asks for.
 */
export const SERVICE_HEAP_FLAGS = SERVICE_NODE_FLAGS.filter((flag) => /^--max-(semi|old)-space-size=/.test(flag));
/** The rest of SERVICE_NODE_FLAGS: V8 flags that NODE_OPTIONS may not carry, on the image's command line. */
export const SERVICE_COMMAND_LINE_FLAGS = SERVICE_NODE_FLAGS.filter((flag) => !SERVICE_HEAP_FLAGS.includes(flag));

/** Only for local runs; Helm refuses to install with it. */
export const DEV_PAGE_TOKEN_SECRET = "outerpark-local-page-token-secret-do-not-deploy";

export interface ServiceConfig {
  service: ServiceName;
  host: string;
  port: number;
  /** Port of GET /metrics (METRICS_PORT); 0 picks a free one. */
  metricsPort: number;
  /** METRICS=off serves no /metrics and records no RPC metrics (the bench's baseline); on by default. */
  metrics: boolean;
  databaseUrl: string;
  natsUrl: string;
  /** Prefix of every stream and subject, so test runs and deployments can share a NATS. */
  eventNamespace: string;
  /** Public JWKS every token is checked against (JWT_JWKS, or the file JWT_JWKS_FILE); "" when unset, and then the service refuses to start. */
  jwks: string;
  /** An OpenID Connect provider whose access tokens are trusted too (OIDC_*); undefined when OIDC_ISSUER_URL is unset. */
  oidc: OidcTrust | undefined;
  /** This service's own private JWK for calls to other services (SERVICE_SIGNING_KEY or SERVICE_SIGNING_KEY_FILE); "" for services that call none. */
  signingKey: string;
  /** HMAC secret of page tokens (PAGE_TOKEN_SECRET); the same on every replica of a service. */
  pageTokenSecret: string;
  logLevel: string;
  /** Maximum time to drain on SIGTERM. */
  shutdownTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export function readServiceConfig(service: ServiceName, env: Env = process.env): ServiceConfig {
  return {
    service,
    host: env.HOST ?? "0.0.0.0",
    port: readInt(env, "PORT", DEFAULT_PORTS[service]),
    metricsPort: readInt(env, "METRICS_PORT", DEFAULT_METRICS_PORTS[service]),
    metrics: readSwitch(env, "METRICS", true),
    databaseUrl: env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/outerpark_${service}`,
    natsUrl: env.NATS_URL ?? "nats://127.0.0.1:4222",
    eventNamespace: readIdentifier(env, "EVENT_NAMESPACE", "outerpark"),
    jwks: readTextOrFile(env, "JWT_JWKS"),
    oidc: readOidcTrust(env),
    signingKey: readTextOrFile(env, "SERVICE_SIGNING_KEY"),
    pageTokenSecret: readSecret(env, "PAGE_TOKEN_SECRET", DEV_PAGE_TOKEN_SECRET),
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownTimeoutMs: readInt(env, "SHUTDOWN_TIMEOUT_MS", 15_000),
  };
}

/** The roles a person can have; "service" is never one an OpenID Connect provider can grant. */
export const PERSON_ROLES = ["customer", "manager"] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** How the services trust an OpenID Connect provider's access tokens, beside the local issuer. */
export interface OidcTrust {
  /** The provider's issuer URL (OIDC_ISSUER_URL): tokens whose `iss` is this are checked against its keys. */
  issuerUrl: string;
  /** The `aud` its access tokens must carry (OIDC_AUDIENCE). */
  audience: string;
  /** Accepted signature algorithms (OIDC_ALGORITHMS, comma-separated; default RS256,ES256). */
  algorithms: string[];
  /** Dotted path of the role claim (OIDC_ROLE_CLAIM, default "role"; Hydra: "ext.role"). */
  roleClaim: string[];
  /** Provider value -> OuterPark role (OIDC_ROLE_MAP "value=role,…"; default customer=customer, manager=manager). */
  roleMap: Record<string, PersonRole>;
}

const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

export function readOidcTrust(env: Env): OidcTrust | undefined {
  const issuerUrl = env.OIDC_ISSUER_URL ?? "";
  if (issuerUrl === "") {
    const stray = ["OIDC_AUDIENCE", "OIDC_ALGORITHMS", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP"].filter((name) => env[name]);
    if (stray.length > 0) throw new Error(`${stray.join(", ")} set without OIDC_ISSUER_URL`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    throw new Error(`OIDC_ISSUER_URL must be a URL, got "${issuerUrl}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("OIDC_ISSUER_URL must be an http(s) URL");
  const audience = env.OIDC_AUDIENCE ?? "";
  if (audience === "") throw new Error("OIDC_AUDIENCE must be set with OIDC_ISSUER_URL: the aud the provider's access tokens carry for OuterPark");
  const algorithms = (env.OIDC_ALGORITHMS || "RS256,ES256").split(",").map((a) => a.trim());
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.includes(alg)) throw new Error(`OIDC_ALGORITHMS: "${alg}" is not one of ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
  }
  return { issuerUrl, audience, algorithms, ...readRoleMapping(env) };
}

/** Where the provider's tokens carry the role (OIDC_ROLE_CLAIM, OIDC_ROLE_MAP): the services and the web app read it alike. */
export function readRoleMapping(env: Env): Pick<OidcTrust, "roleClaim" | "roleMap"> {
  const roleClaim = (env.OIDC_ROLE_CLAIM || "role").split(".");
  if (roleClaim.some((part) => part === "")) throw new Error(`OIDC_ROLE_CLAIM must be a dotted claim path, got "${env.OIDC_ROLE_CLAIM}"`);
  const roleMap: Record<string, PersonRole> = Object.fromEntries(PERSON_ROLES.map((r) => [r, r]));
  if (env.OIDC_ROLE_MAP) {
    for (const key of Object.keys(roleMap)) delete roleMap[key];
    for (const entry of env.OIDC_ROLE_MAP.split(",")) {
      const [value, role, ...rest] = entry.split("=").map((s) => s.trim());
      if (!value || !role || rest.length > 0) throw new Error(`OIDC_ROLE_MAP entries are "providerValue=role", got "${entry}"`);
      if (!(PERSON_ROLES as readonly string[]).includes(role)) {
        throw new Error(`OIDC_ROLE_MAP: "${role}" is not a role the provider may grant (${PERSON_ROLES.join(", ")}; never service)`);
      }
      roleMap[value] = role as PersonRole;
    }
  }
  return { roleClaim, roleMap };
}

export function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** "on"/"off" (or true/false, 1/0); the fallback when unset. */
export function readSwitch(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["on", "true", "1"].includes(raw)) return true;
  if (["off", "false", "0"].includes(raw)) return false;
  throw new Error(`${name} must be on or off, got "${env[name]}"`);
}

export function readString(env: Env, name: string, fallback?: string): string {
  const raw = env[name];
  if (raw !== undefined && raw !== "") return raw;
  if (fallback !== undefined) return fallback;
  throw new Error(`${name} must be set`);
}

/** NAME itself, or the contents of the file named by NAME_FILE (how Kubernetes mounts keys). */
function readTextOrFile(env: Env, name: string): string {
  const file = env[`${name}_FILE`];
  if (env[name] && file) throw new Error(`set ${name} or ${name}_FILE, not both`);
  if (file) return readFileSync(file, "utf8");
  return env[name] ?? "";
}

function readSecret(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  if (value.length < 32) throw new Error(`${name} must be at least 32 characters`);
  return value;
}

function readIdentifier(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  if (!/^[a-z][a-z0-9_]*$/.test(value)) throw new Error(`${name} must match [a-z][a-z0-9_]*, got "${value}"`);
  return value;
}
