import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { toBinary } from "@bufbuild/protobuf";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { pino } from "pino";
import { PaymentApprovedSchema, type PaymentApproved } from "#gen/outerpark/payment/v1/events_pb.js";
import {
  ReservationCancelledSchema,
  ReservationConfirmedSchema,
  ReservationExpiredSchema,
  ReservationPlacedSchema,
  type ReservationPlaced,
} from "#gen/outerpark/reservation/v1/events_pb.js";
import { withPgClient } from "../../tools/infra.js";
import { useKitInfra } from "../../test/support/kit-infra.js";
import type { EventBus } from "./bus.js";
import { EventConsumer, consumeEachType, on, serviceConsumers } from "./consumer.js";
import { listDeadLetters } from "./dead-letters.js";
import { EVENT_TYPE_HEADER, newEvent, streamName, subjectOf } from "./events.js";
import { Transactor, type Tx } from "./outbox.js";

/**
 * What uses up an event's tries: only failures of the event itself. Failures
 * to reach a dependency (a real refused connection here) are retried without
 * counting, however many deliveries they take. Real NATS, real PostgreSQL.
 */
describe("EventConsumer counts only failures on the event's own merits", () => {
  const kit = useKitInfra("consumer");
  const { namespace } = kit;
  let consumer: EventConsumer;
  /** Per reservation id: how the handler answers each delivery, and what it saw. */
  const script = new Map<string, { outageDeliveries: number; thenFails: boolean; attempts: number }>();

  beforeAll(async () => {
    const logger = pino({ level: "silent" });
    consumer = new EventConsumer({
      bus: kit.bus,
      transactor: new Transactor(kit.db, namespace, () => undefined),
      logger,
      name: "kit-test",
      domain: "reservation",
      maxDeliveries: 3,
      // One event per transaction: the script counts handler runs as deliveries, and a batch that fails is run again
      // event by event (one delivery, two runs). Batches have their own test below.
      batchSize: 1,
      subscriptions: [
        on(ReservationPlacedSchema, async (event: ReservationPlaced) => {
          const entry = script.get(event.reservationId)!;
          entry.attempts++;
          if (entry.attempts <= entry.outageDeliveries) {
            // A dependency that refuses connections, as a stopped database does.
            await withPgClient("postgres://postgres@127.0.0.1:1/none", 1_000, async () => undefined);
          }
          if (entry.thenFails) throw new Error("refused on its own merits");
        }),
      ],
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
  });

  async function publish(reservationId: string): Promise<string> {
    const event = newEvent(ReservationPlacedSchema, { reservationId, customerId: "kit", amount: 1n });
    const h = natsHeaders();
    h.set(EVENT_TYPE_HEADER, ReservationPlacedSchema.typeName);
    await kit.bus.js.publish(subjectOf(namespace, ReservationPlacedSchema.typeName), toBinary(ReservationPlacedSchema, event), {
      headers: h,
      msgID: event.eventId,
    });
    return event.eventId;
  }

  const handled = async (eventId: string, consumerName = "kit-test") =>
    (
      await kit.db.em
        .fork()
        .execute<{ n: number }[]>("select count(*)::int as n from inbox where consumer = ? and event_id = ?", [consumerName, eventId])
    )[0]!.n;

  it(
    "handles an event after more failed deliveries than maxDeliveries, all of them a dependency's fault; parks a poison event after exactly maxDeliveries failures of its own",
    { timeout: 60_000 },
    async () => {
      script.set("outage", { outageDeliveries: 5, thenFails: false, attempts: 0 });
      script.set("poison", { outageDeliveries: 4, thenFails: true, attempts: 0 });
      const good = await publish("outage");
      await publish("poison");

      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && !((await handled(good)) === 1 && (await listDeadLetters(kit.bus)).length === 1)) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(script.get("outage")!.attempts).toBe(6); // 5 refused connections, more than maxDeliveries (3), then success
      expect(await handled(good)).toBe(1);

      const letters = await listDeadLetters(kit.bus);
      expect(letters.map((l) => [l.consumer, l.reason])).toEqual([["kit-test", "Error: refused on its own merits"]]);
      // 4 deliveries lost to the dependency, then 3 failures of its own: parked on the 7th delivery, not the 3rd.
      expect(letters[0]!.deliveries).toBe(7);
      expect(script.get("poison")!.attempts).toBe(7);
    },
  );

  it(
    "handles events that arrived together in one transaction, each exactly once; a poison among them is isolated and parked",
    { timeout: 60_000 },
    async () => {
      await kit.db.em.fork().execute("create table batch_effects (event_id text not null)");
      const ids = Array.from({ length: 40 }, (_, i) => `batch-${i}`);
      const poison = "batch-poison";
      const eventIds = new Map<string, string>();
      // Published before the consumer exists, so they are all there when it starts.
      for (const id of [...ids.slice(0, 20), poison, ...ids.slice(20)]) eventIds.set(id, await publish(id));
      const eventsPerTx = new Map<Tx, number>();
      const batchConsumer = new EventConsumer({
        bus: kit.bus,
        transactor: new Transactor(kit.db, namespace, () => undefined),
        logger: pino({ level: "silent" }),
        name: "kit-batch",
        domain: "reservation",
        maxDeliveries: 2,
        subscriptions: [
          on(ReservationPlacedSchema, async (event, tx) => {
            if (!event.reservationId.startsWith("batch-")) return;
            await tx.em.execute("insert into batch_effects (event_id) values (?)", [event.eventId]);
            eventsPerTx.set(tx, (eventsPerTx.get(tx) ?? 0) + 1);
            if (event.reservationId === poison) throw new Error("refused on its own merits");
          }),
        ],
      });
      await batchConsumer.start();
      try {
        const effects = async () =>
          (
            await kit.db.em
              .fork()
              .execute<{ event_id: string; n: number }[]>("select event_id, count(*)::int as n from batch_effects group by event_id")
          ).map((row) => [row.event_id, row.n] as const);
        const deadline = Date.now() + 45_000;
        const parked = async () => (await listDeadLetters(kit.bus)).some((l) => l.consumer === "kit-batch");
        while (Date.now() < deadline && !((await effects()).length === ids.length && (await parked()))) {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        // Every good event took effect exactly once, though some shared a rolled-back batch with the poison; the poison never did.
        expect(new Map(await effects())).toEqual(new Map(ids.map((id) => [eventIds.get(id)!, 1])));
        expect(await handled(eventIds.get(poison)!, "kit-batch")).toBe(0);
        expect((await listDeadLetters(kit.bus)).filter((l) => l.consumer === "kit-batch").map((l) => l.reason)).toEqual([
          "Error: refused on its own merits",
        ]);
        // They were batched: some transaction handled more than one event.
        expect(Math.max(...eventsPerTx.values())).toBeGreaterThan(1);
      } finally {
        await batchConsumer.stop();
      }
    },
  );
});

describe("consumeEachType", () => {
  const kit = useKitInfra("consumer_each");
  const { namespace } = kit;

  it(
    "is sent only the subscribed types, removes the domain-wide durable an earlier release used, and does not handle again what that one handled",
    { timeout: 60_000 },
    async () => {
      type Schema = typeof ReservationCancelledSchema | typeof ReservationExpiredSchema | typeof ReservationConfirmedSchema;
      const publish = async (reservationId: string, schema: Schema) => {
        const h = natsHeaders();
        h.set(EVENT_TYPE_HEADER, schema.typeName);
        const event = newEvent(schema as typeof ReservationCancelledSchema, { reservationId, customerId: "kit" });
        await kit.bus.js.publish(subjectOf(namespace, schema.typeName), toBinary(schema as typeof ReservationCancelledSchema, event), {
          headers: h,
          msgID: event.eventId,
        });
      };
      const seen: string[] = [];
      const record = async (event: { reservationId: string }) => void seen.push(event.reservationId);
      const options = {
        bus: kit.bus,
        transactor: new Transactor(kit.db, namespace, () => undefined),
        logger: pino({ level: "silent" }),
        name: "kit-each",
        domain: "reservation" as const,
      };
      const until = async (condition: () => boolean) => {
        for (const deadline = Date.now() + 30_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 100)))
          if (Date.now() > deadline) throw new Error(`timed out; seen ${seen.join(",")}`);
      };

      // An earlier release: one durable for the whole stream, which handled one cancellation.
      const earlier = new EventConsumer({ ...options, subscriptions: [on(ReservationCancelledSchema, record)] });
      await earlier.start();
      await publish("cancelled-0", ReservationCancelledSchema);
      await until(() => seen.length === 1);
      await earlier.stop();

      for (const id of ["confirmed-1", "confirmed-2"]) await publish(id, ReservationConfirmedSchema);
      await publish("cancelled-1", ReservationCancelledSchema);
      await publish("expired-1", ReservationExpiredSchema);
      await publish("cancelled-2", ReservationCancelledSchema);
      const each = consumeEachType({ ...options, subscriptions: [on(ReservationCancelledSchema, record), on(ReservationExpiredSchema, record)] });
      await each.start();
      try {
        await until(() => seen.length >= 4);
        await new Promise((resolve) => setTimeout(resolve, 500)); // a second run of cancelled-0 would show by now
        expect([...seen].sort()).toEqual(["cancelled-0", "cancelled-1", "cancelled-2", "expired-1"]);

        const stream = streamName(namespace, "reservation");
        const cancelled = await kit.bus.jsm.consumers.info(stream, "kit-each-reservation-ReservationCancelled");
        const expired = await kit.bus.jsm.consumers.info(stream, "kit-each-reservation-ReservationExpired");
        expect(cancelled.config.filter_subject).toBe(subjectOf(namespace, ReservationCancelledSchema.typeName));
        // What the server sent each: its own type only (cancelled-0 again, as the new durable reads the stream from the start; the inbox skipped it).
        expect([cancelled.delivered.consumer_seq, expired.delivered.consumer_seq]).toEqual([3, 1]);
        await expect(kit.bus.jsm.consumers.info(stream, "kit-each-reservation")).rejects.toThrow(/not found/i);
      } finally {
        await each.stop();
      }
    },
  );
});

describe("subscriptions tie each handler to its event type", () => {
  const logger = pino({ level: "silent" });
  const options = { bus: {} as EventBus, transactor: {} as Transactor, logger, name: "kit-test" };

  it("types the handler's event by the schema, so a handler of another event type does not compile", () => {
    on(PaymentApprovedSchema, async (event) => {
      expectTypeOf(event).toEqualTypeOf<PaymentApproved>();
    });
    // @ts-expect-error a ReservationPlaced handler cannot be subscribed to PaymentApproved
    on(PaymentApprovedSchema, async (_event: ReservationPlaced) => undefined);
  });

  it("refuses a service that consumes one stream twice, either way", () => {
    const noop = async () => undefined;
    const { consume, consumeEachType } = serviceConsumers(options);
    consume("reservation", on(ReservationPlacedSchema, noop));
    expect(() => consumeEachType("reservation", on(ReservationCancelledSchema, noop))).toThrow("kit-test consumes the reservation stream twice");
    consumeEachType("payment", on(PaymentApprovedSchema, noop));
    expect(() => consume("payment", on(PaymentApprovedSchema, noop))).toThrow("kit-test consumes the payment stream twice");
  });

  it("refuses at startup a subscription that is not on the consumer's stream, or a second one for the same type", () => {
    const noop = async () => undefined;
    expect(() => new EventConsumer({ ...options, domain: "reservation", subscriptions: [on(PaymentApprovedSchema, noop)] })).toThrow(
      "outerpark.payment.v1.PaymentApproved is not on the reservation stream",
    );
    expect(
      () =>
        new EventConsumer({
          ...options,
          domain: "reservation",
          subscriptions: [on(ReservationPlacedSchema, noop), on(ReservationPlacedSchema, noop)],
        }),
    ).toThrow("outerpark.reservation.v1.ReservationPlaced is subscribed twice by kit-test");
  });
});
