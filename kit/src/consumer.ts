import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { QueryResult } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { EventBus } from "./bus.js";
import { readInt } from "./config.js";
import { EVENT_TYPE_HEADER, domainSubjects, eventRegistry, streamName, type DomainEvent, type EventDomain } from "./events.js";
import type { Transactor, Tx } from "./outbox.js";

export type EventHandler<E extends DomainEvent = any> = (event: E, tx: Tx) => Promise<void>;

export interface ConsumerOptions {
  bus: EventBus;
  transactor: Transactor;
  logger: Logger;
  /** Durable consumer name, also the inbox's consumer key, e.g. "payment". */
  name: string;
  /** The stream to read. */
  domain: EventDomain;
  /** Handlers by event type name; other event types of the stream are acknowledged and skipped. */
  handlers: Record<string, EventHandler>;
  /** Deliveries before a failing event goes to the dead-letter stream. */
  maxDeliveries?: number;
}

/**
 * A durable pull consumer with an inbox: the handler's effects and the event id
 * commit in one transaction, and the message is acknowledged only after the
 * commit, so a redelivered event has no second effect. An event that cannot be
 * decoded, or fails maxDeliveries times, goes to the dead-letter stream.
 */
export class EventConsumer {
  readonly #options: Required<ConsumerOptions>;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #running = false;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: ConsumerOptions) {
    this.#options = { maxDeliveries: readInt(process.env, "CONSUMER_MAX_DELIVERIES", 5), ...options };
  }

  get durableName(): string {
    return `${this.#options.name}-${this.#options.domain}`;
  }

  async start(): Promise<void> {
    const { bus, domain } = this.#options;
    const stream = streamName(bus.namespace, domain);
    await bus.jsm.consumers
      .add(stream, {
        durable_name: this.durableName,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: domainSubjects(bus.namespace, domain),
        // Longer than any handler runs; after a crash, the unacknowledged event is redelivered this much later.
        ack_wait: readInt(process.env, "CONSUMER_ACK_WAIT_MS", 30_000) * 1_000_000,
        max_ack_pending: 256,
      })
      .catch((error) => {
        if (!/already in use|consumer name already/i.test(String(error))) throw error;
      });
    this.#running = true;
    this.#loop = this.#consumeForever(stream);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#messages?.close();
    await this.#loop;
    await this.#inFlight;
  }

  async #consumeForever(stream: string): Promise<void> {
    const { bus, logger } = this.#options;
    while (this.#running) {
      try {
        const consumer = await bus.js.consumers.get(stream, this.durableName);
        this.#messages = await consumer.consume({ max_messages: 64 });
        for await (const msg of this.#messages) {
          const work = this.#handle(msg);
          this.#inFlight = work;
          await work;
          if (!this.#running) break;
        }
      } catch (error) {
        if (!this.#running) break;
        logger.warn({ err: error, consumer: this.durableName }, "consumer interrupted; resubscribing");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const { handlers, logger, maxDeliveries, transactor, name } = this.#options;
    const eventType = msg.headers?.get(EVENT_TYPE_HEADER) ?? "";
    const handler = handlers[eventType];
    if (!handler) {
      // Not ours to handle, or a type newer than this build (a rolling deploy): skipping keeps old consumers compatible.
      if (!eventRegistry.getMessage(eventType)) logger.warn({ eventType, subject: msg.subject }, "unknown event type skipped");
      msg.ack();
      return;
    }
    let event: DomainEvent;
    try {
      event = fromBinary(eventRegistry.getMessage(eventType) as DescMessage, msg.data) as DomainEvent;
      if (!event.eventId) throw new Error("event has no event_id");
    } catch (error) {
      await this.#deadLetter(msg, eventType, `cannot decode: ${String(error)}`);
      return;
    }
    const log = logger.child({ eventId: event.eventId, eventType, consumer: this.durableName, ...reservationOf(event) });
    try {
      const handled = await transactor.run(async (tx) => {
        const inserted = await tx.em.execute<QueryResult>(
          "insert into inbox (consumer, event_id, event_type) values (?, ?, ?) on conflict do nothing",
          [name, event.eventId, eventType],
          "run",
        );
        if (inserted.affectedRows === 0) return false;
        await handler(event, tx);
        return true;
      });
      msg.ack();
      if (handled) log.debug("event handled");
      else log.info("duplicate event skipped");
    } catch (error) {
      const deliveries = msg.info.deliveryCount;
      if (deliveries >= maxDeliveries) {
        log.error({ err: error, deliveries }, "event failed too often; dead-lettering");
        await this.#deadLetter(msg, eventType, String(error));
      } else {
        const delayMs = Math.min(30_000, 500 * 2 ** (deliveries - 1));
        log.warn({ err: error, deliveries, delayMs }, "event handler failed; will retry");
        msg.nak(delayMs);
      }
    }
  }

  async #deadLetter(msg: JsMsg, eventType: string, reason: string): Promise<void> {
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
    } catch (error) {
      // Could not park it: leave it for redelivery rather than lose it.
      logger.error({ err: error }, "dead-letter publish failed");
      msg.nak(5_000);
    }
  }
}

function reservationOf(event: DomainEvent): { reservationId?: string } {
  const id = (event as { reservationId?: unknown }).reservationId;
  return typeof id === "string" && id ? { reservationId: id } : {};
}
