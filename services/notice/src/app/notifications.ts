import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { newEvent } from "#kit/events.js";
import type { Transactor, Tx, TxBatch } from "#kit/outbox.js";
import type { Keyset } from "#kit/paging.js";
import { PollingWorker } from "#kit/polling-worker.js";
import { NotificationSentSchema } from "#gen/outerpark/notice/v1/events_pb.js";
import { NotificationKind as NotificationKindProto } from "#gen/outerpark/notice/v1/notice_pb.js";
import type { NotificationKind } from "../domain/notification.js";
import type { NotificationChannel } from "../adapters/channels.js";
import * as store from "../adapters/notification-store.js";

/** Use cases: record what to tell a customer, then deliver it. */
export class Notifications {
  /** The loop that sends what was recorded; several replicas share the work. */
  readonly dispatcher: PollingWorker;

  constructor(
    private readonly transactor: Transactor,
    private readonly channel: NotificationChannel,
    logger: Logger,
    pollMs = 1_000, // woken by every notification recorded; the poll only finds retries that came due
  ) {
    this.dispatcher = new PollingWorker({ name: "notice-dispatcher", logger, pollMs, pass: () => this.dispatchOnce() });
  }

  /** Records a notification to send (once per reservation and kind); a transaction's notifications go in one statement at commit. */
  enqueue(tx: Tx, n: { customerId: string; reservationId: string; kind: NotificationKind; message: string }): void {
    tx.batch(this.#newRecordings).add({ notificationId: randomUUID(), channel: this.channel.name, ...n });
  }

  readonly #newRecordings = (tx: Tx) => new Recordings(tx, () => this.dispatcher.wake());

  /** Sends a batch of unsent notifications; returns how many went out. */
  async dispatchOnce(limit = 32): Promise<number> {
    return this.transactor.run(async (tx) => {
      const batch = await store.claimUnsent(tx.em, limit);
      for (const n of batch) {
        // Delivery precedes the commit: a crash here means at-least-once delivery, never a lost notice.
        await this.channel.deliver(n);
        await tx.publish(
          newEvent(NotificationSentSchema, {
            notificationId: n.notificationId,
            customerId: n.customerId,
            reservationId: n.reservationId,
            kind: NotificationKindProto[n.kind],
            message: n.message,
          }),
        );
      }
      if (batch.length > 0)
        await store.markSent(
          tx.em,
          batch.map((n) => n.notificationId),
        );
      return batch.length;
    });
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
