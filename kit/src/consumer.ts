import { fromBinary, isMessage, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { EventBus } from "./bus.js";
import { readInt } from "./config.js";
import { isConnectionError } from "./errors.js";
import type { HealthMonitor } from "./health.js";
import { consumerMetrics, watchConsumerBacklog } from "./metrics.js";
import { EVENT_TYPE_HEADER, domainOf, domainSubjects, eventRegistry, streamName, subjectOf, type DomainEvent, type EventDomain } from "./events.js";
import type { Transactor, Tx } from "./outbox.js";
import { inConsumerSpan, markActiveSpanFailed } from "./tracing.js";
import { query, run } from "./sql.js";

/** Handles one event in the consumer's transaction: at once, or by adding to a write batch of it (`tx.batch`), flushed before commit. */
export type EventHandler<E extends DomainEvent = DomainEvent> = (event: E, tx: Tx) => Promise<void> | void;
/** A handler as the consumer runs it. */
type RunHandler = (event: DomainEvent, tx: Tx) => Promise<void>;

/** One event type and its handler; made by `on`, which ties the handler's event type to the schema. */
export interface Subscription {
  readonly schema: DescMessage;
  readonly handle: RunHandler;
}

/** Handles the events of `schema`: `on(PaymentApprovedSchema, (event, tx) => …)` gets `event` typed as PaymentApproved. */
export function on<Desc extends DescMessage>(schema: Desc, handler: (event: MessageShape<Desc>, tx: Tx) => Promise<void> | void): Subscription {
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
  /** At most this many events that arrived together are handled in one transaction. */
  batchSize?: number;
  /**
   * The server sends only the one subscribed type (durable "<name>-<domain>-<Type>") instead of the whole stream.
   * Needs exactly one subscription; see `consumeEachType`.
   */
  typeFiltered?: boolean;
}

interface Received {
  msg: JsMsg;
  event: DomainEvent;
  eventType: string;
  handler: RunHandler;
}

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
  /** "<name>-<domain>", or "<name>-<domain>-<Type>" when type-filtered; also the metrics' and spans' consumer label. */
  readonly durableName: string;
  readonly #options: Required<ConsumerOptions>;
  readonly #handlers = new Map<string, RunHandler>();
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
      typeFiltered: false,
      ...options,
    };
    if (this.#options.typeFiltered && options.subscriptions.length !== 1)
      throw new Error(`a type-filtered consumer has one subscription, not ${options.subscriptions.length}`);
    for (const { schema, handle } of options.subscriptions) {
      // A subscription this consumer could never receive, or a second one for a type, is a wiring mistake: fail at startup.
      if (domainOf(schema.typeName) !== options.domain) throw new Error(`${schema.typeName} is not on the ${options.domain} stream`);
      if (this.#handlers.has(schema.typeName)) throw new Error(`${schema.typeName} is subscribed twice by ${options.name}`);
      this.#handlers.set(schema.typeName, handle);
    }
    const { name, domain, typeFiltered, subscriptions } = this.#options;
    this.durableName = typeFiltered ? `${name}-${domain}-${subscriptions[0]!.schema.name}` : domainDurableName(name, domain);
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
    const { bus, domain, typeFiltered, subscriptions } = this.#options;
    const stream = streamName(bus.namespace, domain);
    const settings = {
      filter_subject: typeFiltered ? subjectOf(bus.namespace, subscriptions[0]!.schema.typeName) : domainSubjects(bus.namespace, domain),
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
    watchConsumerBacklog(this.durableName, async () => {
      const info = await bus.jsm.consumers.info(stream, this.durableName);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
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
        const arrivals = new Arrivals();
        const messages = await consumer.consume({ max_messages: 64, callback: (msg) => arrivals.push(msg) });
        this.#messages = messages;
        if (this.#paused) void messages.close();
        const closed = messages.closed().then((error) => (arrivals.end(), error));
        for (let batch = await arrivals.take(this.#options.batchSize); batch; batch = await arrivals.take(this.#options.batchSize)) {
          if (this.#paused || !this.#running) {
            // Fetched before a pause or a stop: hand them back untried, for whoever consumes next.
            for (const msg of batch) msg.nak();
            continue;
          }
          const work = this.#handleBatch(batch);
          this.#inFlight = work;
          await work;
        }
        const error = await closed;
        if (error && this.#running) throw error;
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

  /**
   * The events that arrived together commit in one transaction (one inbox insert, one commit), which is most of what
   * an event costs. Should any of them fail, the whole batch rolls back and each is handled on its own, so one bad
   * event neither blocks nor takes down the others, and its failures are counted as before.
   */
  async #handleBatch(batch: JsMsg[]): Promise<void> {
    const received: Received[] = [];
    for (const msg of batch) {
      const item = await this.#receive(msg);
      if (item) received.push(item);
    }
    if (received.length === 0) return;
    if (received.length > 1) {
      try {
        const outcomes = await this.#options.transactor.run((tx) => this.#applyAll(received, tx));
        received.forEach((item, i) => this.#settled(item, outcomes[i]!));
        return;
      } catch (error) {
        this.#options.logger.debug(
          { err: error, consumer: this.durableName, events: received.length },
          "batch failed; handling its events one by one",
        );
      }
    }
    for (const item of received) await this.#handle(item);
  }

  /** Acknowledges what is not ours and dead-letters what cannot be read; returns what a handler should see. */
  async #receive(msg: JsMsg): Promise<Received | undefined> {
    const { logger } = this.#options;
    const eventType = msg.headers?.get(EVENT_TYPE_HEADER) ?? "";
    if (msg.info.deliveryCount > 1) consumerMetrics.redelivered.inc({ consumer: this.durableName });
    const handler = this.#handlers.get(eventType);
    if (!handler) {
      // Not ours to handle, or a type newer than this build (a rolling deploy): skipping keeps old consumers compatible.
      if (!eventRegistry.getMessage(eventType)) logger.warn({ eventType, subject: msg.subject }, "unknown event type skipped");
      msg.ack();
      return undefined;
    }
    try {
      const event = fromBinary(eventRegistry.getMessage(eventType) as DescMessage, msg.data) as DomainEvent;
      if (!event.eventId) throw new Error("event has no event_id");
      return { msg, event, eventType, handler };
    } catch (error) {
      await this.#deadLetter(msg, eventType, `cannot decode: ${String(error)}`);
      return undefined;
    }
  }

  /** Runs every handler of the batch in `tx`; an event already in the inbox (or twice in the batch) is a duplicate. */
  async #applyAll(received: Received[], tx: Tx): Promise<boolean[]> {
    const { name } = this.#options;
    const rows = await query<{ event_id: string }>(
      tx.em,
      `insert into inbox (consumer, event_id, event_type) select ?, * from unnest(?::text[], ?::text[]) on conflict do nothing returning event_id`,
      [name, received.map((r) => r.event.eventId), received.map((r) => r.eventType)],
    );
    const fresh = new Set(rows.map((row) => row.event_id));
    const handled: boolean[] = [];
    for (const { msg, event, handler } of received) {
      const first = fresh.delete(event.eventId);
      // Each event in its own CONSUMER span, so what its handler writes continues its publisher's trace.
      if (first) await inConsumerSpan(msg.subject, msg.headers, this.durableName, () => handler(event, tx));
      handled.push(first);
    }
    const retried = received.filter((r, i) => handled[i] && r.msg.info.deliveryCount > 1).map((r) => r.event.eventId);
    if (retried.length > 0) await run(tx.em, "delete from inbox_failures where consumer = ? and event_id = any(?::text[])", [name, retried]);
    return handled;
  }

  #settled({ msg, event, eventType }: Received, handled: boolean): void {
    msg.ack();
    consumerMetrics.consumed.inc({ consumer: this.durableName, outcome: handled ? "handled" : "duplicate" });
    const log = { eventId: event.eventId, eventType, consumer: this.durableName, ...reservationOf(event) };
    if (handled) this.#options.logger.debug(log, "event handled");
    else this.#options.logger.info(log, "duplicate event skipped");
  }

  /** One event in a CONSUMER span continuing the publisher's trace (from the message headers), when tracing is on. */
  #handle(item: Received): Promise<void> {
    return inConsumerSpan(item.msg.subject, item.msg.headers, this.durableName, () => this.#handleOne(item));
  }

  async #handleOne({ msg, event, eventType, handler }: Received): Promise<void> {
    const { logger, transactor, name } = this.#options;
    const log = logger.child({ eventId: event.eventId, eventType, consumer: this.durableName, ...reservationOf(event) });
    try {
      const handled = await transactor.run(async (tx) => {
        const inserted = await run(tx.em, "insert into inbox (consumer, event_id, event_type) values (?, ?, ?) on conflict do nothing", [
          name,
          event.eventId,
          eventType,
        ]);
        if (inserted === 0) return false;
        await handler(event, tx);
        if (msg.info.deliveryCount > 1) await run(tx.em, "delete from inbox_failures where consumer = ? and event_id = ?", [name, event.eventId]);
        return true;
      });
      this.#settled({ msg, event, eventType, handler }, handled);
    } catch (error) {
      markActiveSpanFailed(error);
      await this.#failed(msg, event, eventType, error, log);
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
          .autocommit((em) => run(em, "delete from inbox_failures where consumer = ? and event_id = ?", [this.#options.name, event.eventId]))
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
      query<{ failures: number }>(
        em,
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
      consumerMetrics.deadLettered.inc({ consumer: this.durableName });
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

function domainDurableName(name: string, domain: EventDomain): string {
  return `${name}-${domain}`;
}

/**
 * One type-filtered consumer per subscription: the server sends the service only the event types it handles, where a
 * domain-wide consumer is sent the whole stream and acknowledges what it skips (nats-server 2.9 filters a consumer on
 * one subject only; a skipped event cost its consumer 56 µs of CPU). Events of different types are then handled in
 * no particular order, which no handler may rely on anyway: the outbox relays can publish out of order. The price is
 * a durable and a pull subscription per type, and batches of one type each. Starting removes the domain-wide durable
 * an earlier release used; the inbox is keyed by the service, so what that one handled is not handled again.
 */
export function consumeEachType(options: Omit<ConsumerOptions, "typeFiltered">): {
  start(): Promise<void>;
  stop(): Promise<void>;
  watchDependencies(health: HealthMonitor): void;
} {
  const consumers = options.subscriptions.map((subscription) => new EventConsumer({ ...options, subscriptions: [subscription], typeFiltered: true }));
  return {
    async start() {
      const { bus, name, domain } = options;
      for (const consumer of consumers) await consumer.start();
      await bus.jsm.consumers.delete(streamName(bus.namespace, domain), domainDurableName(name, domain)).catch((error: unknown) => {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      });
    },
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
    watchDependencies(health) {
      for (const consumer of consumers) consumer.watchDependencies(health);
    },
  };
}

/** `consume` and `consumeEachType` for one service: each of its streams is consumed once, one way or the other. */
export function serviceConsumers(service: Omit<ConsumerOptions, "domain" | "subscriptions" | "typeFiltered">): {
  consume(domain: EventDomain, ...subscriptions: Subscription[]): EventConsumer;
  consumeEachType(domain: EventDomain, ...subscriptions: Subscription[]): ReturnType<typeof consumeEachType>;
} {
  const consumed = new Set<EventDomain>();
  const options = (domain: EventDomain, subscriptions: Subscription[]) => {
    // Two consumers of one stream would share the inbox key and the durable names: a wiring mistake.
    if (consumed.has(domain)) throw new Error(`${service.name} consumes the ${domain} stream twice`);
    consumed.add(domain);
    return { ...service, domain, subscriptions };
  };
  return {
    consume: (domain, ...subscriptions) => new EventConsumer(options(domain, subscriptions)),
    consumeEachType: (domain, ...subscriptions) => consumeEachType(options(domain, subscriptions)),
  };
}

/** Every dependency answered on the monitor's latest run (none has run yet: assume so). */
function dependenciesUp(health: HealthMonitor): boolean {
  return Object.values(health.results).every((result) => result.ok);
}

function reservationOf(event: DomainEvent): { reservationId?: string } {
  const id = (event as { reservationId?: unknown }).reservationId;
  return typeof id === "string" && id ? { reservationId: id } : {};
}

/**
 * The messages delivered and not yet handled. `take` hands out all that are here (at most `max`), so a batch never
 * waits for more: while one batch is handled, the next one gathers. JetStream's max_ack_pending bounds it.
 */
class Arrivals {
  #queue: JsMsg[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  push(msg: JsMsg): void {
    this.#queue.push(msg);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** The next batch; undefined once ended and empty. */
  async take(max: number): Promise<JsMsg[] | undefined> {
    while (this.#queue.length === 0) {
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    return this.#queue.splice(0, max);
  }
}
