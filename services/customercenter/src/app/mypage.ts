import type { Transactor, Tx } from "#kit/outbox.js";
import { foldReservation, summarize, type Fact } from "../domain/mypage.js";
import * as store from "../adapters/mypage-store.js";
import type { ChangeFeed } from "../adapters/change-feed.js";
import type { Keyset } from "#kit/paging.js";

export interface IncomingFact {
  eventId: string;
  eventType: string;
  reservationId: string;
  customerId: string;
  occurredAt: Date;
  fact: Fact;
}

export type MyReservationView = store.StoredView;

/** The MyPage read model: built from events only, never by asking other services. */
export class MyPage {
  constructor(
    private readonly transactor: Transactor,
    private readonly feed: ChangeFeed,
  ) {}

  /** Records a fact and refolds its reservation, inside the consumer's transaction. */
  async record(tx: Tx, incoming: IncomingFact): Promise<void> {
    // Lock the customer's counter BEFORE reading the history: a concurrent fact for the same customer commits before
    // we read it, so our fold sees it (reading before locking would let one fold overwrite another's fact).
    const { version, recorded } = await store.recordFact(tx.em, { ...incoming, summary: summarize(incoming.fact) });
    if (!recorded) return;
    const history = await store.historyOf(tx.em, incoming.reservationId);
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

  /** One page of the customer's reservations, newest first, and the highest version among all of them when it was read. */
  async page(customerId: string, after: Keyset | undefined, limit: number): Promise<{ views: MyReservationView[]; latestVersion: number }> {
    return this.transactor.autocommit((em) => store.pageOf(em, customerId, after, limit));
  }

  /** The customer's reservations changed after a version, in the order they changed. */
  async changesAfter(customerId: string, version: number): Promise<MyReservationView[]> {
    return this.transactor.autocommit((em) => store.changesOf(em, customerId, version));
  }

  /** Of the given customers, those whose page changed after the version given for them (one statement for all). */
  async customersChangedAfter(seen: ReadonlyMap<string, number>): Promise<string[]> {
    return this.transactor.autocommit((em) => store.customersChangedAfter(em, seen));
  }
}
