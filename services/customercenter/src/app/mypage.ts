import type { Transactor, Tx } from "../../../../kit/src/outbox.js";
import { foldReservation, summarize, type Fact } from "../domain/mypage.js";
import * as store from "../adapters/mypage-store.js";
import type { ChangeFeed } from "../adapters/change-feed.js";

export interface IncomingFact {
  eventId: string;
  eventType: string;
  reservationId: string;
  customerId: string;
  occurredAt: Date;
  fact: Fact;
}

export interface MyReservationView {
  reservation: store.StoredReservation;
  history: store.StoredHistory[];
}

/** The MyPage read model: built from events only, never by asking other services. */
export class MyPage {
  constructor(
    private readonly transactor: Transactor,
    private readonly feed: ChangeFeed,
  ) {}

  /** Records a fact and refolds its reservation, inside the consumer's transaction. */
  async record(tx: Tx, incoming: IncomingFact): Promise<void> {
    // Lock the customer's counter FIRST: a concurrent fact for the same customer commits before we read the
    // history, so our fold sees it (reading before locking would let one fold overwrite another's fact).
    const version = await store.nextCustomerVersion(tx.em, incoming.customerId);
    if (!(await store.insertHistory(tx.em, { ...incoming, summary: summarize(incoming.fact) }))) return;
    const history = (await store.historyOf(tx.em, [incoming.reservationId])).get(incoming.reservationId) ?? [];
    const view = foldReservation(history);
    const placed = history.find((h) => h.fact.type === "ReservationPlaced");
    await store.upsertView(tx.em, {
      reservationId: incoming.reservationId,
      customerId: incoming.customerId,
      version,
      placedAt: placed?.occurredAt ?? null,
      ...view,
    });
    tx.afterCommit(() => this.feed.announce(incoming.customerId));
  }

  /** The customer's reservations with their histories; only those changed after a version when given. */
  async page(customerId: string, changedAfterVersion = 0): Promise<MyReservationView[]> {
    return this.transactor.run(async (tx) => {
      const reservations = await store.reservationsOf(tx.em, customerId, changedAfterVersion);
      const histories = await store.historyOf(
        tx.em,
        reservations.map((r) => r.reservationId),
      );
      return reservations.map((reservation) => ({ reservation, history: histories.get(reservation.reservationId) ?? [] }));
    });
  }

  onChange(customerId: string, listener: () => void): () => void {
    return this.feed.listen(customerId, listener);
  }
}
