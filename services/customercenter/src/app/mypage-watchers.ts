import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ChangeFeed } from "../adapters/change-feed.js";
import type { MyPage, MyReservationView } from "./mypage.js";

export interface MyPageWatchersOptions {
  myPage: MyPage;
  signals: ChangeFeed;
  logger: Logger;
  /** Period of the fallback re-check that covers a lost change signal. */
  recheckMs: number;
  /** Open streams one customer may hold on this process. */
  maxStreamsPerCustomer: number;
  /** Change reads of the feed running at once, so watchers cannot crowd the consumers out of the shared pool. */
  maxConcurrentReads?: number;
}

/** Customers whose changes one statement reads at most. */
const MAX_CUSTOMERS_PER_READ = 500;

/** One open WatchMyPage stream. */
export interface Watch {
  /** The first page was read; changes after this version are news to this stream. */
  start(pageVersion: number): void;
  /** The changes after the first page, each reservation in the order it changed, until the signal aborts. */
  changes(signal: AbortSignal): AsyncGenerator<MyReservationView>;
  close(): void;
}

class Watcher {
  /** Highest version this stream has (or has queued). */
  seen = 0;
  started = false;
  /** Queued views by reservation: a newer view of a reservation replaces one not yet sent. */
  readonly pending = new Map<string, MyReservationView>();
  #wake: (() => void) | undefined;

  constructor(readonly signalsAtSubscribe: number) {}

  deliver(view: MyReservationView): void {
    this.pending.delete(view.reservation.reservationId); // re-insert: the map stays in version order
    this.pending.set(view.reservation.reservationId, view);
    this.seen = Math.max(this.seen, view.reservation.version);
    this.#wake?.();
  }

  async *changes(signal: AbortSignal): AsyncGenerator<MyReservationView> {
    while (!signal.aborted) {
      if (this.pending.size === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            this.#wake = undefined;
            signal.removeEventListener("abort", done);
            resolve();
          };
          this.#wake = done;
          signal.addEventListener("abort", done);
        });
        continue;
      }
      const views = [...this.pending.values()];
      this.pending.clear();
      for (const view of views) yield view;
    }
  }
}

/** The streams of one customer on this process and the one read that serves them all. */
class CustomerWatchers {
  readonly watchers = new Set<Watcher>();
  /** Change signals received; a stream that saw one while reading its first page asks for a read. */
  signals = 0;
  /** A change was signalled since the last read began. */
  dirty = false;
  reading = false;

  constructor(readonly stopListening: () => void) {}
}

/**
 * Every MyPage stream of the process, served from one change feed: when a
 * customer's page changes (signalled over NATS by whichever replica folded
 * it), the customer's changes since the lowest version any of their streams
 * has are read once and handed to each of their streams. A lost signal is
 * covered by one statement per re-check period for all customers with open
 * streams. Streams per customer are capped per process.
 */
export class MyPageWatchers {
  readonly #customers = new Map<string, CustomerWatchers>();
  readonly #options: Required<MyPageWatchersOptions>;
  #timer: NodeJS.Timeout | undefined;
  #rechecking = false;
  #reads = 0;
  readonly #waitingReads: (() => void)[] = [];
  /** Customers whose change read waits for the next statement, with the version to read after. */
  readonly #waitingChanges = new Map<string, { after: number; resolve: (views: MyReservationView[]) => void; reject: (error: unknown) => void }>();
  #changesReadScheduled = false;

  constructor(options: MyPageWatchersOptions) {
    this.#options = { maxConcurrentReads: 2, ...options };
  }

  start(): void {
    this.#timer = setInterval(() => void this.#recheck(), this.#options.recheckMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
  }

  /** Registers a stream before its first page is read, so no change signalled meanwhile is lost. RESOURCE_EXHAUSTED beyond the cap. */
  watch(customerId: string): Watch {
    let customer = this.#customers.get(customerId);
    if (customer && customer.watchers.size >= this.#options.maxStreamsPerCustomer) {
      throw new ConnectError(
        `at most ${this.#options.maxStreamsPerCustomer} MyPage streams per customer may be open at once; close one first`,
        Code.ResourceExhausted,
      );
    }
    if (!customer) {
      const stopListening = this.#options.signals.listen(customerId, () => {
        const signalled = this.#customers.get(customerId);
        if (!signalled) return;
        signalled.signals++;
        this.#read(customerId, signalled);
      });
      customer = new CustomerWatchers(stopListening);
      this.#customers.set(customerId, customer);
    }
    const owner = customer;
    const watcher = new Watcher(owner.signals);
    owner.watchers.add(watcher);
    return {
      start: (pageVersion) => {
        watcher.seen = pageVersion;
        watcher.started = true;
        // A change signalled while the first page was read may be newer than that page.
        if (owner.signals !== watcher.signalsAtSubscribe) this.#read(customerId, owner);
      },
      changes: (signal) => watcher.changes(signal),
      close: () => {
        owner.watchers.delete(watcher);
        if (owner.watchers.size === 0 && this.#customers.get(customerId) === owner) {
          owner.stopListening();
          this.#customers.delete(customerId);
        }
      },
    };
  }

  /** Open streams on this process (for logs and tests). */
  get openStreams(): number {
    let open = 0;
    for (const customer of this.#customers.values()) open += customer.watchers.size;
    return open;
  }

  /** One read at a time per customer; signals during a read cause exactly one more. */
  #read(customerId: string, customer: CustomerWatchers): void {
    customer.dirty = true;
    if (customer.reading) return;
    customer.reading = true;
    void (async () => {
      try {
        while (customer.dirty) {
          customer.dirty = false;
          const started = [...customer.watchers].filter((w) => w.started);
          if (started.length === 0) continue;
          const after = Math.min(...started.map((w) => w.seen));
          const views = await this.#changesAfter(customerId, after);
          this.#options.logger.debug({ customerId, after, changes: views.length, streams: started.length }, "MyPage changes read");
          for (const watcher of customer.watchers) {
            if (!watcher.started) continue;
            // Started while this read ran, with an older page: this read may lack changes it needs, so read again.
            if (watcher.seen < after) {
              customer.dirty = true;
              continue;
            }
            for (const view of views) if (view.reservation.version > watcher.seen) watcher.deliver(view);
          }
        }
      } catch (error) {
        // The next re-check finds what this read missed: no stream's version moved.
        this.#options.logger.warn({ err: error, customerId }, "MyPage changes not read; the re-check will retry");
      } finally {
        customer.reading = false;
      }
    })();
  }

  /** The fallback for a lost signal: one statement asks which customers with open streams changed beyond what they were sent. */
  async #recheck(): Promise<void> {
    if (this.#rechecking || this.#customers.size === 0) return;
    this.#rechecking = true;
    try {
      const seen = new Map<string, number>();
      for (const [customerId, customer] of this.#customers) {
        const started = [...customer.watchers].filter((w) => w.started);
        if (started.length > 0) seen.set(customerId, Math.min(...started.map((w) => w.seen)));
      }
      const changed = await this.#limited(() => this.#options.myPage.customersChangedAfter(seen));
      this.#options.logger.debug({ customers: seen.size, changed: changed.length }, "MyPage re-checked");
      for (const customerId of changed) {
        const customer = this.#customers.get(customerId);
        if (customer) this.#read(customerId, customer);
      }
    } catch (error) {
      this.#options.logger.warn({ err: error }, "MyPage re-check failed; retrying next period");
    } finally {
      this.#rechecking = false;
    }
  }

  /**
   * One customer's changes after a version, read together with those of every other customer waiting for theirs: a
   * burst of signals for many customers costs one statement, not one each, and no customer waits behind a queue of
   * single reads. (Each customer has at most one read waiting: `#read` runs one at a time per customer.)
   */
  #changesAfter(customerId: string, after: number): Promise<MyReservationView[]> {
    const read = new Promise<MyReservationView[]>((resolve, reject) => this.#waitingChanges.set(customerId, { after, resolve, reject }));
    this.#scheduleChangesRead();
    return read;
  }

  /** One read of the waiting customers queues for a slot at a time; whoever comes meanwhile joins it. */
  #scheduleChangesRead(): void {
    if (this.#changesReadScheduled) return;
    this.#changesReadScheduled = true;
    void this.#limited(() => this.#readWaitingChanges());
  }

  async #readWaitingChanges(): Promise<void> {
    this.#changesReadScheduled = false;
    const taken = [...this.#waitingChanges].slice(0, MAX_CUSTOMERS_PER_READ);
    for (const [customerId] of taken) this.#waitingChanges.delete(customerId);
    if (this.#waitingChanges.size > 0) this.#scheduleChangesRead(); // more than one statement takes
    if (taken.length === 0) return;
    try {
      const changes = await this.#options.myPage.changesAfter(new Map(taken.map(([customerId, { after }]) => [customerId, after])));
      for (const [customerId, { resolve }] of taken) resolve(changes.get(customerId) ?? []);
    } catch (error) {
      for (const [, { reject }] of taken) reject(error);
    }
  }

  async #limited<T>(read: () => Promise<T>): Promise<T> {
    while (this.#reads >= this.#options.maxConcurrentReads) await new Promise<void>((resolve) => this.#waitingReads.push(resolve));
    this.#reads++;
    try {
      return await read();
    } finally {
      this.#reads--;
      this.#waitingReads.shift()?.();
    }
  }
}
