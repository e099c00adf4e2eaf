/**
 * `make up`: the whole system on this machine. Uses the PostgreSQL and NATS
 * given in OUTERPARK_POSTGRES_URL / OUTERPARK_NATS_URL; without them it starts
 * its own (embedded PostgreSQL, a local nats-server with JetStream) with data
 * kept in .data/up. Then the simulated payment gateway and the five services,
 * each its own process on its default port, restarted if it dies. Ctrl-C
 * stops everything.
 */
import path from "node:path";
import { DEFAULT_GATEWAY_PORT, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, SERVICE_NAMES, SERVICE_NODE_FLAGS } from "#kit/config.js";
import { ISSUER_KEY_OWNER, mintToken } from "#kit/auth.js";
import { createLogger } from "#kit/logger.js";
import { provideInfrastructure } from "./infra.js";
import { LOCAL_KEY_DIR, ensureLocalKeys, jwksFileIn, privateKeyFileIn, readSigningKey } from "./keys.js";
import { Supervisor } from "./supervisor.js";
import { startWebServer } from "./web-server.js";

const root = path.resolve(import.meta.dirname, "../..");
const logger = createLogger("up");
// Prefix of the databases and event streams, so a second system (a test of this script) can share the servers.
const namespace = process.env.OUTERPARK_UP_NAMESPACE ?? "outerpark";
const infra = await provideInfrastructure({
  dataDir: path.join(root, ".data/up"),
  logger,
  ...(process.env.OUTERPARK_POSTGRES_URL ? { postgresUrl: process.env.OUTERPARK_POSTGRES_URL } : {}),
  ...(process.env.OUTERPARK_NATS_URL ? { natsUrl: process.env.OUTERPARK_NATS_URL } : {}),
});

// A service that dies is started again, as Kubernetes would: kill -9 any of them and watch the saga heal.
const supervisor = new Supervisor({ logger });
// The web app's origin: the services answer its cross-origin calls (CORS), and no other origin's.
const webPort = Number(process.env.WEB_PORT ?? 8080);
const webOrigins = [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`];
// Local signing keys, made once: services get the public JWKS, reservation its own private key.
const keyDir = path.join(root, LOCAL_KEY_DIR);
ensureLocalKeys(keyDir);
function start(name: string, args: string[], env: Record<string, string>): void {
  supervisor.start({
    name,
    command: process.execPath,
    args: [...SERVICE_NODE_FLAGS, path.join(root, "dist/tools/outerpark.js"), ...args],
    env: { JWT_JWKS_FILE: jwksFileIn(keyDir), NATS_URL: infra.natsUrl, EVENT_NAMESPACE: namespace, CORS_ORIGINS: webOrigins.join(","), ...env },
  });
}

start("gateway", ["gateway"], { GATEWAY_PORT: String(DEFAULT_GATEWAY_PORT) });
for (const service of SERVICE_NAMES) {
  const database = new URL(infra.postgresUrl);
  database.pathname = `/${namespace}_${service}`;
  start(service, ["serve", service], {
    PORT: String(DEFAULT_PORTS[service]),
    DATABASE_URL: database.toString(),
    MUSICAL_URL: `http://127.0.0.1:${DEFAULT_PORTS.musical}`,
    PAYMENT_GATEWAY_URL: `http://127.0.0.1:${DEFAULT_GATEWAY_PORT}`,
    ...(service === "reservation" ? { SERVICE_SIGNING_KEY_FILE: privateKeyFileIn(keyDir, service) } : {}),
  });
}

const issuer = readSigningKey(privateKeyFileIn(keyDir, ISSUER_KEY_OWNER));
// The app calls each service on its own port; its dev sign-in mints with the issuer key, which stays in this process.
const web = await startWebServer({
  dir: path.join(root, "dist/web"),
  host: "127.0.0.1",
  port: webPort,
  config: {
    services: {
      musical: `http://localhost:${DEFAULT_PORTS.musical}`,
      reservation: `http://localhost:${DEFAULT_PORTS.reservation}`,
      customercenter: `http://localhost:${DEFAULT_PORTS.customercenter}`,
    },
  },
  devSignInKey: issuer,
});
const manager = await mintToken({ key: issuer, subject: "manager-1", role: "manager", ttlSeconds: 86_400 });
const customer = await mintToken({ key: issuer, subject: "customer-1", role: "customer", ttlSeconds: 86_400 });
process.stderr.write(`
Open the web app: ${web.url}  (sign in with any name as a customer or a show manager)

OuterPark is starting: ${SERVICE_NAMES.map((service) => `${service} :${DEFAULT_PORTS[service]}`).join(", ")}, gateway :${DEFAULT_GATEWAY_PORT}
PostgreSQL ${infra.startedPostgres ? "(embedded) " : ""}and NATS ${infra.startedNats ? "(local nats-server) " : ""}ready.
Metrics (Prometheus text format): ${SERVICE_NAMES.map((service) => `${service} http://localhost:${DEFAULT_METRICS_PORTS[service]}/metrics`).join(", ")}
Signing keys in ${path.relative(process.cwd(), keyDir) || keyDir} (more tokens: node dist/tools/outerpark.js token --sub ID --role customer|manager).

  export MANAGER=${manager}
  export CUSTOMER=${customer}
  grpcurl -plaintext localhost:${DEFAULT_PORTS.musical} list
  grpcurl -plaintext -H "authorization: Bearer $MANAGER" -d '{"musical_id":"phantom","name":"The Phantom of the Opera","total_seats":100,"seat_price":120000}' localhost:${DEFAULT_PORTS.musical} outerpark.musical.v1.MusicalService/RegisterMusical
  grpcurl -plaintext -H "authorization: Bearer $CUSTOMER" -d '{"musical_id":"phantom","seats":2,"idempotency_key":"first"}' localhost:${DEFAULT_PORTS.reservation} outerpark.reservation.v1.ReservationService/PlaceReservation
  grpcurl -plaintext -H "authorization: Bearer $CUSTOMER" localhost:${DEFAULT_PORTS.customercenter} outerpark.customercenter.v1.CustomerCenterService/WatchMyPage

A service that dies is restarted (with back-off): kill -9 one, e.g. pkill -9 -f 'outerpark.js serve payment', and watch the saga heal.

`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await web.close();
  await supervisor.stop();
  await infra.stop();
  process.exit(0);
}
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
