/** Reads configuration from the environment, failing fast with the variable's name. */

export const SERVICE_NAMES = ["musical", "reservation", "payment", "notice", "customercenter"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  musical: 8081,
  reservation: 8082,
  payment: 8083,
  notice: 8084,
  customercenter: 8085,
};

/** Only for local runs; Helm refuses to install without a real secret. */
export const DEV_JWT_SECRET = "outerpark-local-development-secret-do-not-deploy";

export interface ServiceConfig {
  service: ServiceName;
  host: string;
  port: number;
  databaseUrl: string;
  natsUrl: string;
  /** Prefix of every stream and subject, so test runs and deployments can share a NATS. */
  eventNamespace: string;
  jwtSecret: string;
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
    databaseUrl: env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/outerpark_${service}`,
    natsUrl: env.NATS_URL ?? "nats://127.0.0.1:4222",
    eventNamespace: readIdentifier(env, "EVENT_NAMESPACE", "outerpark"),
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownTimeoutMs: readInt(env, "SHUTDOWN_TIMEOUT_MS", 15_000),
  };
}

export function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

export function readString(env: Env, name: string, fallback?: string): string {
  const raw = env[name];
  if (raw !== undefined && raw !== "") return raw;
  if (fallback !== undefined) return fallback;
  throw new Error(`${name} must be set`);
}

function readIdentifier(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  if (!/^[a-z][a-z0-9_]*$/.test(value)) throw new Error(`${name} must match [a-z][a-z0-9_]*, got "${value}"`);
  return value;
}
