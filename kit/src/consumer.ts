import { fromBinary, isMessage, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { QueryResult } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { EventBus } from "./bus.js";
import { readInt } from "./config.js";
import { isConnectionError, isLockConflict } from "./errors.js";
import type { HealthMonitor } from "./health.js";
import { EVENT_TYPE_HEADER, domainOf, domainSubjects, eventRegistry, streamName, type DomainEvent, type EventDomain } from "./events.js";
import type { Transactor, Tx } from "./outbox.js";

export type EventHandler<E extends DomainEvent = DomainEvent> = (event: E, tx: Tx) => Promise<void>;

/** One event type and its handler; made by `on`, which ties the handler's event type to the schema. */
export interface Subscription {
  readonly schema: DescMessage;
  readonly handle: EventHandler;
}

/** Handles the events of `schema`: `on(PaymentApprovedSchema, (event, tx) => …)` gets `event` typed as PaymentApproved. */
export function on<Desc extends DescMessage>(schema: Desc, handler: (event: MessageShape<Desc>, tx: Tx) => Promise<void>): Subscription {
  return {
    schema,
    handle: async (event, tx) => {
      if (!isMessage(event, schema)) throw new Error(`a ${event.$typeName} reached the handler of ${schema.typeName}`);
      await handler(event, tx);
    },
  };
}

export interface ConsumerOptions {
  bus: EventBus;
  transactor: Transactor;
  logger: Logger;
  /** Durable consumer name, also the inbox's consumer key, e.g. "payment". */
  name: string;
  /** The stream to read. */
  domain: EventDomain;
  /** At most one per event type, all of the domain's stream; other event types of the stream are acknowledged and skipped. */
  subscriptions: Subscription[];
  /** Failures on the event's own merits before it goes to the dead-letter stream; outages never count. */
  maxDeliveries?: number;
  /** Most events that have already arrived taken into one transaction (CONSUMER_BATCH_SIZE); 1 gives each its own. */
  batchSize?: number;
}

/** A delivered event of a type this consumer handles, decoded. */
interface Delivery {
  msg: JsMsg;
  event: DomainEvent;
  eventType: string;
  handler: EventHandler;
  log: Logger;
}

/** What became of one event of a batch, known once the batch committed. */
type Outcome = { kind: "handled" } | { kind: "duplicate" } | { kind: "repeat"; of: number } | { kind: "failed"; error: unknown };

/** Redelivery delay of an event whose handler could not reach a dependency. */
const DEPENDENCY_RETRY_MS = 1_000;
/** How often a paused consumer looks at the health monitor's latest verdict. */
const PAUSED_RECHECK_MS = 500;

/**
 * A durable pull consumer with an inbox: the handler's effects and the event id
 * commit in one transaction, and the message is acknowledged only after the
 * commit, so a redelivered event has no second effect. An event that cannot be
 * decoded, or fails maxDeliveries times on its own merits, goes to the
 * dead-letter stream. A failure to reach the database or NATS is not the
 * event's fault: it is retried without counting, and while the health monitor
 * sees a dependency down the consumer pauses.
 */
export class EventConsumer {
  readonly #options: Required<ConsumerOptions>;
  readonly #handlers = new Map<string, EventHandler>();
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #running = false;
  #inFlight: Promise<void> = Promise.resolve();
  #health: HealthMonitor | undefined;
  #unwatchHealth: (() => void) | undefined;
  #paused = false;

  constructor(options: ConsumerOptions) {
    this.#options = {
      maxDeliveries: readInt(process.env, "CONSUMER_MAX_DELIVERIES", 5),
      batchSize: readInt(process.env, "CONSUMER_BATCH_SIZE", 64),
      ...options,
    };
    if (!(this.#options.batchSize >= 1)) throw new Error(`batchSize of ${options.name} must be at least 1`);
    for (const { schema, handle } of options.subscriptions) {
      // A subscription this consumer could never receive, or a second one for a type, is a wiring mistake: fail at startup.
      if (domainOf(schema.typeName) !== options.domain) throw new Error(`${schema.typeName} is not on the ${options.domain} stream`);
      if (this.#handlers.has(schema.typeName)) throw new Error(`${schema.typeName} is subscribed twice by ${options.name}`);
      this.#handlers.set(schema.typeName, handle);
    }
  }

  get durableName(): string {
    return `${this.#options.name}-${this.#options.domain}`;
  }

  /** Pauses consumption while `health` sees the database or NATS down, and tells failures of a dependency from the event's. */
  watchDependencies(health: HealthMonitor): void {
    this.#unwatchHealth?.();
    this.#health = health;
    this.#unwatchHealth = health.onChange(() => {
      if (!dependenciesUp(health)) this.#pause();
    });
  }

  async start(): Promise<void> {
    const { bus, domain } = this.#options;
    const stream = streamName(bus.namespace, domain);
    const settings = {
      filter_subject: domainSubjects(bus.namespace, domain),
      // Longer than any handler runs; after a crash, the unacknowledged event is redelivered this much later.
      ack_wait: readInt(process.env, "CONSUMER_ACK_WAIT_MS", 30_000) * 1_000_000,
      max_ack_pending: 256,
    };
    await bus.jsm.consumers
      .add(stream, { durable_name: this.durableName, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...settings })
      .catch(async (error) => {
        // It exists with other settings (an earlier release, or another replica's config): this release's settings win.
        if (!/already exists|already in use/i.test(String(error))) throw error;
        await bus.jsm.consumers.update(stream, this.durableName, settings);
      });
    this.#running = true;
    this.#loop = this.#consumeForever(stream);
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#unwatchHealth?.();
    await this.#messages?.close();
    await this.#loop;
    await this.#inFlight;
  }

  async #consumeForever(stream: string): Promise<void> {
    const { bus, logger } = this.#options;
    while (this.#running) {
      try {
        await this.#untilDependenciesUp();
        if (!this.#running) break;
        const consumer = await bus.js.consumers.get(stream, this.durableName);
        const messages = await consumer.consume({ max_messages: Math.max(64, this.#options.batchSize) });
        this.#messages = messages;
        if (this.#paused) void messages.close();
        await this.#consumeBatches(messages);
      } catch (error) {
        if (!this.#running) break;
        logger.warn({ err: error, consumer: this.durableName }, "consumer interrupted; resubscribing");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Stops pulling: the loop hands back what it already holds and waits for the dependencies. */
  #pause(): void {
    if (this.#paused || !this.#running) return;
    this.#paused = true;
    this.#options.logger.warn({ consumer: this.durableName, health: this.#health?.results }, "dependencies down; consumer paused");
    void this.#messages?.close();
  }

  async #untilDependenciesUp(): Promise<void> {
    if (!this.#paused) return;
    const started = Date.now();
    while (this.#running && this.#health && !dependenciesUp(this.#health)) {
      await new Promise((resolve) => setTimeout(resolve, PAUSED_RECHECK_MS));
    }
    this.#paused = false;
    this.#options.logger.info({ consumer: this.durableName, pausedMs: Date.now() - started }, "dependencies back; consumer resumed");
  }

  /** Takes what has already arrived, up to batchSize, without waiting for more, and handles it as one batch. */
  async #consumeBatches(messages: ConsumerMessages): Promise<void> {
    const { batchSize } = this.#options;
    const iterator = messages[Symbol.asyncIterator]();
    let next = iterator.next();
    try {
      for (;;) {
        const first = await next;
        if (first.done) return;
        const batch = [first.value];
        next = iterator.next();
        while (batch.length < batchSize) {
          // A message already buffered resolves within microtasks, before the next turn of the event loop.
          const more = await Promise.race([next, nextTurn()]);
          if (!more || more.done) break;
          batch.push(more.value);
          next = iterator.next();
        }
        if (this.#paused) {
          // Fetched before the pause: hand them back untried, for whoever consumes next.
          for (const msg of batch) msg.nak();
          continue;
        }
        const work = this.#handleBatch(batch);
        this.#inFlight = work;
        await work;
        if (!this.#running) return;
      }
    } finally {
      // Taken from the iterator but never handled (stopping, resubscribing): hand it back now rather than after ack_wait.
      void next.then(
        (r) => void (r.done ? undefined : r.value.nak()),
        () => undefined,
      );
      void messages.close().catch(() => undefined);
    }
  }

  async #handleBatch(msgs: JsMsg[]): Promise<void> {
    const deliveries: Delivery[] = [];
    for (const msg of msgs) {
      const delivery = await this.#decode(msg);
      if (delivery) deliveries.push(delivery);
    }
    if (deliveries.length === 1) await this.#handleOne(deliveries[0]!);
    else if (deliveries.length > 1) await this.#handleTogether(deliveries);
  }

  /** The delivery to handle, or undefined when the message was settled here: a type not ours (acknowledged), undecodable (dead-lettered). */
  async #decode(msg: JsMsg): Promise<Delivery | undefined> {
    const { logger } = this.#options;
    const eventType = msg.headers?.get(EVENT_TYPE_HEADER) ?? "";
    const handler = this.#handlers.get(eventType);
    if (!handler) {
      // Not ours to handle, or a type newer than this build (a rolling deploy): skipping keeps old consumers compatible.
      if (!eventRegistry.getMessage(eventType)) logger.warn({ eventType, subject: msg.subject }, "unknown event type skipped");
      msg.ack();
      return undefined;
    }
    let event: DomainEvent;
    try {
      event = fromBinary(eventRegistry.getMessage(eventType) as DescMessage, msg.data) as DomainEvent;
      if (!event.eventId) throw new Error("event has no event_id");
    } catch (error) {
      await this.#deadLetter(msg, eventType, `cannot decode: ${String(error)}`);
      return undefined;
    }
    const log = logger.child({ eventId: event.eventId, eventType, consumer: this.durableName, ...reservationOf(event) });
    return { msg, event, eventType, handler, log };
  }

  /** One event in its own transaction. */
  async #handleOne({ msg, event, eventType, handler, log }: Delivery): Promise<void> {
    const { transactor, name } = this.#options;
    try {
      const handled = await transactor.run(async (tx) => {
        const inserted = await tx.em.execute<QueryResult>(
          "insert into inbox (consumer, event_id, event_type) values (?, ?, ?) on conflict do nothing",
          [name, event.eventId, eventType],
          "run",
        );
        if (inserted.affectedRows === 0) return false;
        await handler(event, tx);
        if (msg.info.deliveryCount > 1)
          await tx.em.execute("delete from inbox_failures where consumer = ? and event_id = ?", [name, event.eventId], "run");
        return true;
      });
      msg.ack();
      if (handled) log.debug("event handled");
      else log.info("duplicate event skipped");
    } catch (error) {
      await this.#failed(msg, event, eventType, error, log);
    }
  }

  /**
   * Several events in one transaction: one inbox insert for all, each handler in its own savepoint, one commit,
   * then the acks. A handler that throws undoes only its savepoint, and its event then fails exactly as it would
   * alone (counted or not by the same rules); the others are handled once. When the batch itself cannot commit,
   * an outage hands every event back uncounted, and anything else sends each through its own transaction.
   */
  async #handleTogether(deliveries: Delivery[]): Promise<void> {
    const { transactor, name, logger } = this.#options;
    let outcomes: Outcome[] = [];
    try {
      await transactor.run(async (tx) => {
        outcomes = []; // a retried transaction starts afresh
        const firstOf = new Map<string, number>();
        for (const [i, d] of deliveries.entries()) if (!firstOf.has(d.event.eventId)) firstOf.set(d.event.eventId, i);
        const unique = [...firstOf.keys()].map((id) => deliveries[firstOf.get(id)!]!);
        const rows = await tx.em.execute<{ event_id: string }[]>(
          `insert into inbox (consumer, event_id, event_type) values ${unique.map(() => "(?, ?, ?)").join(", ")}
           on conflict do nothing returning event_id`,
          unique.flatMap((d) => [name, d.event.eventId, d.eventType]),
        );
        const fresh = new Set(rows.map((row) => row.event_id));
        for (const [i, d] of deliveries.entries()) {
          const first = firstOf.get(d.event.eventId)!;
          if (first !== i) outcomes.push({ kind: "repeat", of: first });
          else if (!fresh.has(d.event.eventId)) outcomes.push({ kind: "duplicate" });
          else {
            try {
              await tx.savepoint((own) => d.handler(d.event, own));
              outcomes.push({ kind: "handled" });
            } catch (error) {
              outcomes.push({ kind: "failed", error });
            }
          }
        }
        const ids = (kind: Outcome["kind"], retried = false) =>
          deliveries.filter((d, i) => outcomes[i]!.kind === kind && (!retried || d.msg.info.deliveryCount > 1)).map((d) => d.event.eventId);
        // A failed event is not handled: its inbox row goes with it, so its redelivery runs the handler again.
        const failed = ids("failed");
        if (failed.length > 0) await tx.em.execute("delete from inbox where consumer = ? and event_id in (?)", [name, failed], "run");
        const recovered = ids("handled", true);
        if (recovered.length > 0) await tx.em.execute("delete from inbox_failures where consumer = ? and event_id in (?)", [name, recovered], "run");
      });
    } catch (error) {
      if (await this.#dependencyFailed(error)) {
        logger.warn(
          { err: error, consumer: this.durableName, events: deliveries.length },
          "dependency unavailable; batch will be retried, not counted",
        );
        for (const d of deliveries) d.msg.nak(DEPENDENCY_RETRY_MS);
        if (this.#health && !dependenciesUp(this.#health)) this.#pause();
        return;
      }
      // No single event to blame: each goes again in a transaction of its own, where only its own failure counts.
      logger.warn({ err: error, consumer: this.durableName, events: deliveries.length }, "batch failed; handling its events one by one");
      for (const d of deliveries) {
        if (this.#paused) d.msg.nak();
        else await this.#handleOne(d);
      }
      return;
    }
    const settled = (i: number): boolean => {
      const outcome = outcomes[i]!;
      return outcome.kind === "repeat" ? settled(outcome.of) : outcome.kind !== "failed";
    };
    for (const [i, d] of deliveries.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.kind === "handled") d.log.debug("event handled");
      else if (outcome.kind === "duplicate") d.log.info("duplicate event skipped");
      // The same message twice in one batch follows its first copy: acknowledging it while the first is retried would lose the event.
      if (outcome.kind !== "failed") {
        if (settled(i)) d.msg.ack();
        else d.msg.nak(DEPENDENCY_RETRY_MS);
      }
    }
    for (const [i, d] of deliveries.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.kind !== "failed") continue;
      if (isLockConflict(outcome.error)) {
        // A deadlock or serialization failure with a concurrent transaction is not the event's fault: alone it goes again at once.
        if (this.#paused) d.msg.nak();
        else await this.#handleOne(d);
      } else {
        await this.#failed(d.msg, d.event, d.eventType, outcome.error, d.log);
      }
    }
  }

  /** An outage never uses up an event's tries, however long it lasts; only failures of the event itself count. */
  async #failed(msg: JsMsg, event: DomainEvent, eventType: string, error: unknown, log: Logger): Promise<void> {
    const { maxDeliveries } = this.#options;
    if (await this.#dependencyFailed(error)) {
      log.warn({ err: error, deliveries: msg.info.deliveryCount }, "dependency unavailable; event will be retried, not counted");
      msg.nak(DEPENDENCY_RETRY_MS);
      if (this.#health && !dependenciesUp(this.#health)) this.#pause();
      return;
    }
    let failures: number;
    try {
      failures = await this.#recordFailure(event.eventId, error);
    } catch (recordError) {
      // Not even the failure could be written: the database is going away, so this one does not count either.
      log.warn({ err: error, recordError }, "event handler failed and the failure could not be recorded; will retry");
      msg.nak(DEPENDENCY_RETRY_MS);
      return;
    }
    if (failures >= maxDeliveries) {
      log.error({ err: error, failures, deliveries: msg.info.deliveryCount }, "event failed too often; dead-lettering");
      if (await this.#deadLetter(msg, eventType, String(error))) {
        // A replayed letter starts with fresh tries.
        await this.#options.transactor
          .autocommit((em) =>
            em.execute("delete from inbox_failures where consumer = ? and event_id = ?", [this.#options.name, event.eventId], "run"),
          )
          .catch(() => undefined);
      }
    } else {
      const delayMs = Math.min(30_000, 500 * 2 ** (failures - 1));
      log.warn({ err: error, failures, delayMs }, "event handler failed; will retry");
      msg.nak(delayMs);
    }
  }

  /** A connection error, or any error while the probes find the database or NATS down (a statement cut off, a timeout). */
  async #dependencyFailed(error: unknown): Promise<boolean> {
    if (isConnectionError(error)) return true;
    if (!this.#health) return false;
    await this.#health.refresh();
    return !dependenciesUp(this.#health);
  }

  /** Counts one more failure of this event on its own merits; returns the count so far. */
  async #recordFailure(eventId: string, error: unknown): Promise<number> {
    const { name, transactor } = this.#options;
    const rows = await transactor.autocommit((em) =>
      em.execute<{ failures: number }[]>(
        `insert into inbox_failures (consumer, event_id, failures, last_error) values (?, ?, 1, ?)
         on conflict (consumer, event_id) do update set failures = inbox_failures.failures + 1, last_error = excluded.last_error, failed_at = now()
         returning failures`,
        [name, eventId, String(error).slice(0, 1000)],
      ),
    );
    return rows[0]!.failures;
  }

  /** Parks the event with its reason; false when it could not be parked (it stays for redelivery). */
  async #deadLetter(msg: JsMsg, eventType: string, reason: string): Promise<boolean> {
    const { bus, logger, name } = this.#options;
    const h = natsHeaders();
    h.set("Dead-Letter-Consumer", name);
    h.set("Dead-Letter-Subject", msg.subject);
    h.set("Dead-Letter-Reason", reason.slice(0, 1000));
    h.set("Dead-Letter-Deliveries", String(msg.info.deliveryCount));
    h.set(EVENT_TYPE_HEADER, eventType);
    try {
      await bus.js.publish(`${bus.namespace}.deadletter.${name}`, msg.data, {
        headers: h,
        msgID: `${name}:${msg.info.stream}:${msg.seq}`,
      });
      msg.term();
      logger.error({ consumer: this.durableName, subject: msg.subject, eventType, reason }, "event dead-lettered");
      return true;
    } catch (error) {
      // Could not park it: leave it for redelivery rather than lose it.
      logger.error({ err: error }, "dead-letter publish failed");
      msg.nak(5_000);
      return false;
    }
  }
}

/** Resolves on the event loop's next turn, after every microtask already queued. */
function nextTurn(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(() => resolve(undefined)));
}

/** Every dependency answered on the monitor's latest run (none has run yet: assume so). */
function dependenciesUp(health: HealthMonitor): boolean {
  return Object.values(health.results).every((result) => result.ok);
}

function reservationOf(event: DomainEvent): { reservationId?: string } {
  const id = (event as { reservationId?: unknown }).reservationId;
  return typeof id === "string" && id ? { reservationId: id } : {};
}
