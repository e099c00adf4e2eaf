import { Migration } from "@mikro-orm/migrations";

/** Tables every service has: the transactional outbox and the consumer inbox. */
class KitOutboxInbox extends Migration {
  override up(): void {
    this.addSql(`create table if not exists outbox (
      event_id uuid primary key,
      event_type text not null,
      subject text not null,
      payload bytea not null,
      created_at timestamptz not null default now(),
      next_attempt_at timestamptz not null default now(),
      attempts int not null default 0,
      last_error text,
      published_at timestamptz
    )`);
    this.addSql(`create index if not exists outbox_due on outbox (next_attempt_at) where published_at is null`);
    this.addSql(`create table if not exists inbox (
      consumer text not null,
      event_id text not null,
      event_type text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`);
  }
}

/**
 * Failures of an event on its own merits, per consumer: they, not JetStream's delivery count (which
 * also counts deliveries lost to outages), decide when an event goes to the dead letters.
 */
class KitInboxFailures extends Migration {
  override up(): void {
    this.addSql(`create table if not exists inbox_failures (
      consumer text not null,
      event_id text not null,
      failures int not null,
      last_error text,
      failed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`);
  }
}

/**
 * The W3C trace context of the span that wrote an outbox row, so the relay publishes it in the message headers and the
 * trace survives the outbox and a crash. Nullable columns without defaults: adding them rewrites no existing row.
 */
class KitOutboxTraceContext extends Migration {
  override up(): void {
    this.addSql("alter table outbox add column if not exists traceparent text, add column if not exists tracestate text");
  }
}

export const kitMigrations = [
  { name: "Kit0001OutboxInbox", class: KitOutboxInbox },
  { name: "Kit0002InboxFailures", class: KitInboxFailures },
  { name: "Kit0003OutboxTraceContext", class: KitOutboxTraceContext },
];
