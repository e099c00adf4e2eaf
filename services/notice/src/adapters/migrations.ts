import { Migration } from "@mikro-orm/migrations";

class Notice0001Notifications extends Migration {
  override up(): void {
    this.addSql(`create table notifications (
      notification_id text primary key,
      customer_id text not null,
      reservation_id text not null,
      kind text not null check (kind in ('PAYMENT_APPROVED', 'RESERVATION_CANCELLED', 'PAYMENT_FAILED')),
      message text not null,
      channel text not null,
      created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
      sent_at timestamptz,
      -- One notification per fact, however often the fact is delivered.
      unique (reservation_id, kind)
    )`);
    this.addSql(`create index notifications_unsent on notifications (created_at) where sent_at is null`);
    this.addSql(`create index notifications_by_customer on notifications (customer_id, created_at desc, notification_id desc)`);
  }
}

export const migrations = [{ name: "Notice0001Notifications", class: Notice0001Notifications }];
