import { Migration } from "@mikro-orm/migrations";

class CustomerCenter0001MyPage extends Migration {
  override up(): void {
    this.addSql(`create table mypage_history (
      event_id text primary key,
      reservation_id text not null,
      customer_id text not null,
      event_type text not null,
      occurred_at timestamptz not null,
      fact jsonb not null,
      summary text not null
    )`);
    this.addSql(`create index mypage_history_by_reservation on mypage_history (reservation_id, occurred_at)`);
    this.addSql(`create table mypage_reservations (
      reservation_id text primary key,
      customer_id text not null,
      musical_id text not null default '',
      musical_name text not null default '',
      seats int not null default 0,
      amount bigint not null default 0,
      reservation_status text not null,
      payment_state text not null,
      version bigint not null,
      placed_at timestamptz,
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index mypage_reservations_by_customer on mypage_reservations (customer_id, version)`);
    // Per-customer change counter: its row lock orders a customer's updates, so versions commit in order.
    this.addSql(`create table mypage_customers (customer_id text primary key, version bigint not null)`);
  }
}

/** MyPage is read a page at a time, newest first. */
class CustomerCenter0002MyPagePaging extends Migration {
  override up(): void {
    this.addSql(`create index mypage_reservations_by_customer_placed on mypage_reservations (customer_id, placed_at desc, reservation_id desc)`);
  }
}

export const migrations = [
  { name: "CustomerCenter0001MyPage", class: CustomerCenter0001MyPage },
  { name: "CustomerCenter0002MyPagePaging", class: CustomerCenter0002MyPagePaging },
];
