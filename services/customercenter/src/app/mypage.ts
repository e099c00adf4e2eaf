import type { Transactor, Tx, TxBatch } from "#kit/outbox.js";
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

  /**
   * Records a fact inside the consumer's transaction. The facts of one transaction (the events a consumer took
   * together) are written and their reservations refolded together just before it commits: three statements per
   * batch, not per event.
   */
  record(tx: Tx, incoming: IncomingFact): void {
    tx.batch(this.#newBatch).add(incoming);
  }

  readonly #newBatch = (tx: Tx) => new FactBatch(tx, this.feed);

  /** One page of the customer's reservations, newest first, and the highest version among all of them when it was read. */
  async page(customerId: string, after: Keyset | undefined, limit: number): Promise<{ views: MyReservationView[]; latestVersion: number }> {
    return this.transactor.autocommit((em) => store.pageOf(em, customerId, after, limit));
  }

  /** For each customer, their reservations changed after the version given for them, in the order they changed (one statement). */
  async changesAfter(seen: ReadonlyMap<string, number>): Promise<Map<string, MyReservationView[]>> {
    return this.transactor.autocommit((em) => store.changesOf(em, seen));
  }

  /** Of the given customers, those whose page changed after the version given for them (one statement for all). */
  async customersChangedAfter(seen: ReadonlyMap<string, number>): Promise<string[]> {
    return this.transactor.autocommit((em) => store.customersChangedAfter(em, seen));
  }
}

/** The facts of one transaction and how they change MyPage. */
class FactBatch implements TxBatch {
  readonly #facts: store.NewFact[] = [];

  constructor(
    private readonly tx: Tx,
    private readonly feed: ChangeFeed,
  ) {}

  add(incoming: IncomingFact): void {
    this.#facts.push({ ...incoming, summary: summarize(incoming.fact) });
  }

  async flush(): Promise<void> {
    const { em } = this.tx;
    // Lock the customers' counters BEFORE reading the histories: a concurrent fact for the same customer commits before
    // we read it, so our fold sees it (reading before locking would let one fold overwrite another's fact).
    const { versions, recorded } = await store.recordFacts(em, this.#facts);
    if (recorded.length === 0) return;
    const customerOf = new Map(recorded.map((f) => [f.reservationId, f.customerId]));
    const histories = await store.historiesOf(em, [...customerOf.keys()]);
    await store.upsertViews(
      em,
      [...customerOf].map(([reservationId, customerId]) => {
        const history = histories.get(reservationId) ?? [];
        return {
          reservationId,
          customerId,
          version: versions.get(reservationId)!,
          placedAt: history.find((h) => h.fact.type === "ReservationPlaced")?.occurredAt ?? null,
          ...foldReservation(history),
        };
      }),
    );
    const customers = new Set(customerOf.values());
    this.tx.afterCommit(() => customers.forEach((customerId) => this.feed.announce(customerId)));
  }
}
