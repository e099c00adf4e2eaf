import { toBinary, type DescMessage } from "@bufbuild/protobuf";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type { Database } from "./database.js";
import type { EventBus } from "./bus.js";
import { EVENT_TYPE_HEADER, eventRegistry, subjectOf, type DomainEvent } from "./events.js";
import { PollingWorker } from "./polling-worker.js";
import { readInt } from "./config.js";
import { Counter, registry } from "./metrics.js";
import { currentTraceContext, endingWith, startPublishSpan } from "./tracing.js";
import { query, run } from "./sql.js";

/** Events committed to the outbox, by type: one per fact (a placement, an approval, seats released…). */
const eventsRecorded = new Counter({
  name: "outerpark_events_recorded_total",
  help: "Events committed to the outbox (the facts this service announced), by event type.",
  labelNames: ["event_type"],
  registers: [registry],
});

/** A unit of work: the state changes and the events they cause commit together. */
export interface Tx {
  em: EntityManager;
  /**
   * Records an event in the outbox as part of this transaction: its row (with the trace context active now) is
   * written with the transaction's other events, in one statement, just before it commits.
   */
  publish(event: DomainEvent): Promise<void>;
  /** Runs after a successful commit (wake a worker, notify watchers); never after a rollback. */
  afterCommit(action: () => void): void;
  /**
   * This transaction's one instance of a write batch (made by `create` on first use), flushed just before commit.
   * Handlers of the events a consumer takes together add to it, and it writes them all in a few statements
   * instead of a few per event.
   */
  batch<B extends TxBatch>(create: (tx: Tx) => B): B;
}

/**
 * Writes collected during a transaction, written together by `flush` before it commits. What an entry publishes or
 * logs at flush belongs to the event it came from: keep its trace context when it is added (`keepTraceContext`).
 */
export interface TxBatch {
  flush(): Promise<void>;
}

export class Transactor implements Autocommit {
  constructor(
    private readonly db: Database,
    private readonly namespace: string,
    private readonly onCommitWithEvents: () => void,
  ) {}

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let published: string[] = [];
    let afterCommit: (() => void)[] = [];
    const result = await this.db.em.fork().transactional(async (em) => {
      published = []; // a retried transaction starts afresh
      afterCommit = [];
      const batches = new Map<(tx: Tx) => TxBatch, TxBatch>();
      const events: unknown[][] = [];
      const tx: Tx = {
        em,
        publish: async (event) => {
          published.push(event.$typeName);
          events.push(outboxValues(this.namespace, event));
        },
        afterCommit: (action) => afterCommit.push(action),
        batch: <B extends TxBatch>(create: (tx: Tx) => B): B => {
          let batch = batches.get(create);
          if (!batch) batches.set(create, (batch = create(tx)));
          return batch as B;
        },
      };
      const result = await work(tx);
      for (const batch of batches.values()) await batch.flush();
      if (events.length > 0) await enqueue(em, events);
      return result;
    });
    if (published.length > 0) this.onCommitWithEvents();
    for (const type of published) eventsRecorded.inc({ event_type: type });
    for (const action of afterCommit) action();
    return result;
  }

  autocommit<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return work(this.db.em.fork());
  }

  /** `event` to be recorded by `changesWithEvents` if the row named `key` changes; the trace context active now goes with it. */
  keyedEvent(key: string, event: DomainEvent): KeyedEvent {
    return { key, event, values: outboxValues(this.namespace, event) };
  }

  /**
   * State changes and their events in ONE autocommit statement: no begin, no commit, one round trip for many rows
   * (the changes of concurrent calls, coalesced) on the hottest paths. It changes the rows and records the event of
   * each row that changed, exactly when it changed. `work` embeds `recordEvents` as a data-modifying CTE, completed with
   * `join <the changed rows> on <their key> = recorded_events.event_key`, and returns the keys that changed (a set, or a
   * map to what each became).
   */
  async changesWithEvents<Changed extends ReadonlySet<string> | ReadonlyMap<string, unknown>>(
    events: readonly KeyedEvent[],
    work: (em: EntityManager, recordEvents: SqlPart) => Promise<Changed>,
  ): Promise<Changed> {
    const row = `(?::text, ${OUTBOX_TYPED_PLACEHOLDERS})`;
    const changed = await work(this.db.em.fork(), {
      sql: `insert into outbox (${OUTBOX_COLUMNS}) select ${OUTBOX_COLUMNS} from (values ${events.map(() => row).join(", ")}) as recorded_events (event_key, ${OUTBOX_COLUMNS})`,
      params: events.flatMap(({ key, values }) => [key, ...values]),
    });
    if (changed.size > 0) this.onCommitWithEvents();
    for (const { key, event } of events) if (changed.has(key)) eventsRecorded.inc({ event_type: event.$typeName });
    return changed;
  }
}

/** An event for `changesWithEvents`, keyed by the row whose change records it; made where it happens (`keyedEvent`). */
export interface KeyedEvent {
  key: string;
  event: DomainEvent;
  /** Its outbox row's values (see outboxValues). */
  values: unknown[];
}

export interface Autocommit {
  /** Statements that commit one by one: plain reads, and hot rows where a lock must not outlive its statement. */
  autocommit<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
}

/** SQL and its parameters, to be embedded in a larger statement. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** The outbox row of `event` (values for OUTBOX_COLUMNS), with the trace context active now. */
function outboxValues(namespace: string, event: DomainEvent): unknown[] {
  const schema = eventRegistry.getMessage(event.$typeName);
  if (!schema) throw new Error(`${event.$typeName} is not a registered event`);
  // The span that records the event (an RPC, an event handled) is the parent of its publish, whenever that happens.
  const trace = currentTraceContext();
  return [
    event.eventId,
    event.$typeName,
    subjectOf(namespace, event.$typeName),
    Buffer.from(toBinary(schema as DescMessage, event)),
    trace.traceparent,
    trace.tracestate,
  ];
}

const OUTBOX_COLUMNS = "event_id, event_type, subject, payload, traceparent, tracestate";
/** outboxValues' placeholders with their column types: VALUES lists give their columns none, and text assigns to neither uuid nor bytea. */
const OUTBOX_TYPED_PLACEHOLDERS = "?::uuid, ?::text, ?::text, ?::bytea, ?::text, ?::text";

/** Writes outbox rows in one statement, in the order given (the relay publishes in that order). */
async function enqueue(em: EntityManager, rows: readonly unknown[][]): Promise<void> {
  await run(em, `insert into outbox (${OUTBOX_COLUMNS}) values ${rows.map(() => `(${OUTBOX_TYPED_PLACEHOLDERS})`).join(", ")}`, rows.flat());
}

interface OutboxRow {
  event_id: string;
  event_type: string;
  subject: string;
  payload: Buffer;
  attempts: number;
  traceparent: string | null;
  tracestate: string | null;
}

export interface OutboxRelayOptions {
  db: Database;
  bus: EventBus;
  logger: Logger;
  /** Rows claimed per pass, all published at once (OUTBOX_BATCH_SIZE). */
  batchSize?: number;
  /** Poll interval when nothing wakes the relay (events committed by other replicas, retries). */
  pollMs?: number;
  /** Longest wait between retries of a failing publish. */
  maxBackoffMs?: number;
  /**
   * How long a pass's claim keeps other passes (and replicas) off its rows: a relay that died between publishing and
   * deleting is retried after it, within JetStream's two-minute duplicate window, which drops the repeats.
   */
  leaseMs?: number;
}

/**
 * Deletes published rows (`?`: their ids); alone, or ahead of the relay's next claim. JetStream holds the events from
 * then on. Marking them published instead wrote a new version of each row, payload and all, kept an hour of published
 * rows in the table and its indexes, and left them to a mass delete every minute. In a 64-client rush, PostgreSQL's
 * CPU per reservation was lower with the delete in four of five alternated pairs (median −0.22 ms of about 2.6).
 */
const DELETE_PUBLISHED = "delete from outbox where event_id = any(?::uuid[])";

/**
 * Publishes committed outbox rows to JetStream, with the event id as message id
 * so JetStream drops repeats. Rows are claimed with SKIP LOCKED, so any number
 * of replicas can relay at once; a failed publish is retried with backoff until
 * JetStream acknowledges it.
 */
export class OutboxRelay {
  readonly #options: Required<OutboxRelayOptions>;
  readonly #worker: PollingWorker;
  #lastPurge = 0;
  /**
   * Published by the last pass and not yet deleted: the next pass's claim deletes them in the same statement, so a busy
   * relay makes one round trip to PostgreSQL per pass, not two, and starts its next pass one round trip sooner.
   */
  #undeleted: string[] = [];

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: readInt(process.env, "OUTBOX_BATCH_SIZE", 64), pollMs: 1_000, maxBackoffMs: 30_000, leaseMs: 30_000, ...options };
    this.#worker = new PollingWorker({
      name: "outbox-relay",
      logger: options.logger,
      pollMs: this.#options.pollMs,
      pass: () => this.#pass(),
      passSize: this.#options.batchSize,
      beforeWait: () => this.#deletePublished(),
    });
  }

  start(): void {
    this.#worker.start();
  }

  wake(): void {
    this.#worker.wake();
  }

  /** Stops after a last pass that publishes whatever is due. */
  async stop(): Promise<void> {
    await this.#worker.stop();
    await this.relayOnce().catch((error) => this.#options.logger.warn({ err: error }, "final outbox flush failed"));
  }

  async #pass(): Promise<number> {
    const published = await this.#relay();
    if (Date.now() - this.#lastPurge > 60_000) {
      this.#lastPurge = Date.now();
      // Rows an earlier release marked published (it kept them an hour) instead of deleting them.
      await run(this.#options.db.em.fork(), "delete from outbox where published_at < now() - interval '1 hour'");
    }
    return published;
  }

  /** One pass that also deletes what it published before it returns. Returns how many were published. */
  async relayOnce(): Promise<number> {
    const published = await this.#relay();
    await this.#deletePublished();
    return published;
  }

  /**
   * Claims up to a batch of due rows with a lease (deleting the last pass's published rows in the same statement), then
   * publishes them all at once. Each statement commits alone: no transaction stays open across the round trip to
   * JetStream. The rows it publishes are deleted by the next claim or by `#deletePublished`.
   */
  async #relay(): Promise<number> {
    const { db, bus, batchSize, maxBackoffMs, leaseMs, logger } = this.#options;
    const em = db.em.fork();
    // The delete and the update see one snapshot, so the claim must skip the rows being deleted (one statement may not
    // change a row twice); their lease alone would not, once it ran out. `published_at` is set only by earlier releases.
    const rows = await this.#deleting((deleted) =>
      query<OutboxRow>(
        em,
        `with deleted as (${DELETE_PUBLISHED})
         update outbox set next_attempt_at = now() + make_interval(secs => ?)
          where event_id in (select event_id from outbox where published_at is null and next_attempt_at <= now()
                                and event_id <> all(?::uuid[])
                              order by created_at limit ? for update skip locked)
          returning event_id, event_type, subject, payload, attempts, traceparent, tracestate`,
        [deleted, leaseMs / 1000, deleted, batchSize],
      ),
    );
    if (rows.length === 0) return 0;
    // No consumer relies on the order of events (each tolerates any order: facts only move a state forward, MyPage
    // folds by occurred_at, payment voids a cancellation that overtook its placement), so a window may land in any order.
    const results = await Promise.allSettled(
      rows.map((row) => {
        const h = natsHeaders();
        h.set(EVENT_TYPE_HEADER, row.event_type);
        const span = startPublishSpan(row.subject, row.event_id, row, h);
        const published = bus.js.publish(row.subject, row.payload, { msgID: row.event_id, headers: h, timeout: 5_000 });
        return span ? endingWith(span, published) : published;
      }),
    );
    const published = rows.filter((_, i) => results[i]!.status === "fulfilled").map((row) => row.event_id);
    this.#undeleted.push(...published);
    const failed = rows.flatMap((row, i) => {
      const result = results[i]!;
      return result.status === "rejected" ? [{ row, error: String(result.reason).slice(0, 500) }] : [];
    });
    if (failed.length > 0) {
      const { row, error } = failed[0]!;
      logger.warn(
        { err: error, failed: failed.length, of: rows.length, eventId: row.event_id, eventType: row.event_type, attempts: row.attempts + 1 },
        "outbox publish failed; will retry",
      );
      // Each row backs off by its own attempts: 200 ms doubling, up to maxBackoffMs.
      await run(
        em,
        `update outbox o set attempts = o.attempts + 1, last_error = f.error,
                next_attempt_at = now() + make_interval(secs => least(?, 0.2 * power(2, least(o.attempts, 16))))
           from (values ${failed.map(() => "(?::uuid, ?)").join(", ")}) as f(event_id, error)
          where o.event_id = f.event_id`,
        [maxBackoffMs / 1000, ...failed.flatMap(({ row, error }) => [row.event_id, error])],
      );
    }
    return published.length;
  }

  /** Deletes what passes published and no claim has deleted yet (before the worker waits, and on the way out). */
  async #deletePublished(): Promise<void> {
    if (this.#undeleted.length === 0) return;
    await this.#deleting((deleted) => run(this.#options.db.em.fork(), DELETE_PUBLISHED, [deleted]));
  }

  /** Runs a statement that deletes the rows waiting to be deleted; should it fail, they wait for the next one. */
  async #deleting<T>(statement: (deleted: string[]) => Promise<T>): Promise<T> {
    const deleted = this.#undeleted;
    this.#undeleted = [];
    try {
      return await statement(deleted);
    } catch (error) {
      this.#undeleted = deleted.concat(this.#undeleted);
      throw error;
    }
  }
}
