/**
 * Throughput of the kit's event flow with real PostgreSQL and NATS: outbox rows
 * → OutboxRelay → JetStream → EventConsumer (inbox + a handler that writes one
 * row). Prints events/s of the relay, of relay and consumer together, and of a
 * consumer alone reading a full stream.
 *
 *   node --conditions=outerpark-source tools/flow-bench.ts [events] [postgresUrl] [natsUrl]
 */
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { connectEventBus, ensureStreams } from "#kit/bus.js";
import { EventConsumer, on } from "#kit/consumer.js";
import { migrate, openDatabase } from "#kit/database.js";
import { newEvent } from "#kit/events.js";
import { OutboxRelay, Transactor } from "#kit/outbox.js";
import { EXISTING_NATS_URL, EXISTING_POSTGRES_URL, dropDatabaseIfExists } from "./infra.js";

const events = Number(process.argv[2] ?? 5_000);
const serverUrl = process.argv[3] ?? EXISTING_POSTGRES_URL;
const natsUrl = process.argv[4] ?? EXISTING_NATS_URL;
const namespace = `fb${randomBytes(3).toString("hex")}`;
const url = new URL(serverUrl);
url.pathname = `/${namespace}`;

const logger = pino({ level: process.env.LOG_LEVEL ?? "warn" });
const db = await openDatabase({ url: url.toString(), entities: [], migrations: [], poolMax: 10 });
await migrate(db);
await db.em.fork().execute("create table flow_effects (consumer text, event_id text, primary key (consumer, event_id))");
const bus = await connectEventBus({ url: natsUrl, name: "flow-bench", namespace, logger });
await ensureStreams(bus);
const transactor = new Transactor(db, namespace, () => relay.wake());
const relay = new OutboxRelay({ db, bus, logger });

const count = async (sql: string) => (await db.em.fork().execute<{ n: number }[]>(sql))[0]!.n;
const until = async (done: () => Promise<boolean>) => {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 20));
};
const consumer = (name: string) =>
  new EventConsumer({
    bus,
    transactor,
    logger,
    name,
    domain: "reservation",
    subscriptions: [
      on(ReservationPlacedSchema, async (event, tx) => {
        await tx.em.execute("insert into flow_effects (consumer, event_id) values (?, ?)", [name, event.eventId]);
      }),
    ],
  });

try {
  // Fill the outbox first (not timed), 500 events per transaction.
  for (let i = 0; i < events; i += 500) {
    await transactor.run(async (tx) => {
      for (let j = i; j < Math.min(events, i + 500); j++) {
        await tx.publish(newEvent(ReservationPlacedSchema, { reservationId: `r${j}`, customerId: `c${j % 100}`, amount: 1000n }));
      }
    });
  }
  const first = consumer("first");
  await first.start();
  const started = performance.now();
  relay.start();
  relay.wake();
  await until(async () => (await count("select count(*)::int as n from outbox where published_at is null")) === 0);
  const relayed = performance.now();
  await until(async () => (await count("select count(*)::int as n from flow_effects where consumer = 'first'")) === events);
  const handled = performance.now();
  await first.stop();

  // A second durable reads the whole stream from the start: the consumer alone.
  const second = consumer("second");
  const secondStarted = performance.now();
  await second.start();
  await until(async () => (await count("select count(*)::int as n from flow_effects where consumer = 'second'")) === events);
  const secondDone = performance.now();
  await second.stop();

  const rate = (ms: number) => Math.round((events / ms) * 1000);
  console.log(
    JSON.stringify({
      events,
      relayEventsPerSecond: rate(relayed - started),
      relayAndConsumerEventsPerSecond: rate(handled - started),
      consumerAloneEventsPerSecond: rate(secondDone - secondStarted),
    }),
  );
} finally {
  await relay.stop();
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(`${namespace.toUpperCase()}_`)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.nc.close();
  await db.close(true);
  await dropDatabaseIfExists(serverUrl, namespace);
}
