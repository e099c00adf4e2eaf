import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { newEvent } from "#kit/events.js";
import type { Transactor, Tx, TxBatch } from "#kit/outbox.js";
import type { Keyset } from "#kit/paging.js";
import { PollingWorker } from "#kit/polling-worker.js";
import { NotificationSentSchema } from "#gen/outerpark/notice/v1/events_pb.js";
import { NotificationKind as NotificationKindProto } from "#gen/outerpark/notice/v1/notice_pb.js";
import type { NotificationKind, NotificationRecord } from "../domain/notification.js";
import type { NotificationChannel } from "../adapters/channels.js";
import * as store from "../adapters/notification-store.js";

/** Notifications one dispatch pass sends at most. */
const DISPATCH_BATCH = 32;

/** Use cases: record what to tell a customer, then deliver it. */
export class Notifications {
  /** The loop that sends what was recorded; several replicas share the work. */
  readonly dispatcher: PollingWorker;

  constructor(
    private readonly transactor: Transactor,
    private readonly channel: NotificationChannel,
    private readonly logger: Logger,
    pollMs = 1_000, // woken by every notification recorded; the poll finds the ones whose lease ran out
    /** How long a pass keeps its notifications from other passes and replicas while it delivers them. */
    private readonly leaseMs = 30_000,
  ) {
    this.dispatcher = new PollingWorker({ name: "notice-dispatcher", logger, pollMs, pass: () => this.dispatchOnce(), passSize: DISPATCH_BATCH });
  }

  /** Records a notification to send (once per reservation and kind); a transaction's notifications go in one statement at commit. */
  enqueue(tx: Tx, n: { customerId: string; reservationId: string; kind: NotificationKind; message: string }): void {
    tx.batch(this.#newRecordings).add({ notificationId: randomUUID(), channel: this.channel.name, ...n });
  }

  readonly #newRecordings = (tx: Tx) => new Recordings(tx, () => this.dispatcher.wake());

  /**
   * Sends a batch of unsent notifications; returns how many went out. They are leased first (one statement), then
   * delivered, then marked sent with their NotificationSent events (one statement): no transaction is held open
   * across delivery. Delivery precedes the mark: a crash in between sends them again when the lease runs out
   * (at least once, never lost); one whose delivery fails is tried again then too.
   */
  async dispatchOnce(limit = DISPATCH_BATCH): Promise<number> {
    const leased = await this.transactor.autocommit((em) => store.leaseUnsent(em, limit, this.leaseMs));
    const delivered: NotificationRecord[] = [];
    for (const n of leased) {
      try {
        await this.channel.deliver(n);
        delivered.push(n);
      } catch (error) {
        this.logger.warn({ err: error, notificationId: n.notificationId }, "notification not delivered; retried when its lease runs out");
      }
    }
    if (delivered.length === 0) return 0;
    const events = delivered.map((n) =>
      this.transactor.keyedEvent(
        n.notificationId,
        newEvent(NotificationSentSchema, {
          notificationId: n.notificationId,
          customerId: n.customerId,
          reservationId: n.reservationId,
          kind: NotificationKindProto[n.kind],
          message: n.message,
        }),
      ),
    );
    const sent = await this.transactor.changesWithEvents(events, (em, recordEvents) =>
      store.markSent(
        em,
        delivered.map((n) => n.notificationId),
        recordEvents,
      ),
    );
    return sent.size;
  }

  list(customerId: string, after: Keyset | undefined, limit: number) {
    return this.transactor.autocommit((em) => store.listForCustomer(em, customerId, after, limit));
  }
}

/** The notifications one transaction records, inserted together before it commits; the dispatcher is woken after. */
class Recordings implements TxBatch {
  readonly #notifications: store.NewNotification[] = [];

  constructor(
    private readonly tx: Tx,
    wakeDispatcher: () => void,
  ) {
    tx.afterCommit(wakeDispatcher);
  }

  add(notification: store.NewNotification): void {
    this.#notifications.push(notification);
  }

  async flush(): Promise<void> {
    if (this.#notifications.length > 0) await store.insertAllIfAbsent(this.tx.em, this.#notifications);
  }
}
