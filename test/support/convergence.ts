import type { TestSystem } from "./system.js";

export interface ConvergenceReport {
  problems: string[];
  counts: Record<string, number>;
}

/**
 * Compares what every service holds; returns each disagreement found. Once the
 * system has settled, every reservation is final and musical, payment, the
 * gateway, notice and MyPage agree with it.
 */
export async function checkConvergence(system: TestSystem): Promise<ConvergenceReport> {
  const problems: string[] = [];
  const reservations = await system.sql<{
    reservation_id: string;
    musical_id: string;
    seats: number;
    amount: string;
    status: string;
    payment_state: string;
    customer_id: string;
  }>("reservation", "select reservation_id, musical_id, seats, amount::text, status, payment_state, customer_id from reservations");
  const finalPayment: Record<string, string> = { PAID: "APPROVED", CANCELLED: "CANCELLED", REJECTED: "DECLINED" };
  for (const r of reservations) {
    if (!(r.status in finalPayment)) problems.push(`reservation ${r.reservation_id} is ${r.status}`);
    else if (r.payment_state !== finalPayment[r.status]) problems.push(`reservation ${r.reservation_id} ${r.status} has payment ${r.payment_state}`);
  }

  const musicals = await system.sql<{ musical_id: string; total_seats: number; reservable_seats: number }>(
    "musical",
    "select musical_id, total_seats, reservable_seats from musicals",
  );
  const holds = await system.sql<{ reservation_id: string; musical_id: string; seats: number }>(
    "musical",
    "select reservation_id, musical_id, seats from seat_holds where status = 'HELD'",
  );
  const live = reservations.filter((r) => r.status === "PAID" || r.status === "RESERVED");
  for (const m of musicals) {
    const held = holds.filter((h) => h.musical_id === m.musical_id).reduce((sum, h) => sum + h.seats, 0);
    const liveSeats = live.filter((r) => r.musical_id === m.musical_id).reduce((sum, r) => sum + r.seats, 0);
    if (m.reservable_seats < 0) problems.push(`${m.musical_id} has negative seats`);
    if (m.reservable_seats !== m.total_seats - liveSeats)
      problems.push(`${m.musical_id}: reservable ${m.reservable_seats} ≠ ${m.total_seats} − live ${liveSeats}`);
    if (held !== liveSeats) problems.push(`${m.musical_id}: held ${held} ≠ live ${liveSeats}`);
  }
  const heldIds = new Set(holds.map((h) => h.reservation_id));
  for (const r of live) if (!heldIds.has(r.reservation_id)) problems.push(`live ${r.reservation_id} has no hold`);

  const payments = await system.sql<{ reservation_id: string; status: string; refunded: boolean; charge_id: string }>(
    "payment",
    "select reservation_id, status, refunded, charge_id from payments",
  );
  const paymentOf = new Map(payments.map((p) => [p.reservation_id, p]));
  for (const r of reservations) {
    const p = paymentOf.get(r.reservation_id);
    if (!p) problems.push(`reservation ${r.reservation_id} has no payment`);
    else if (r.status === "PAID" && p.status !== "APPROVED") problems.push(`paid ${r.reservation_id} payment ${p.status}`);
    else if (r.status === "CANCELLED" && p.status !== "CANCELLED") problems.push(`cancelled ${r.reservation_id} payment ${p.status}`);
    else if (r.status === "CANCELLED" && p.charge_id !== "" && !p.refunded) problems.push(`cancelled ${r.reservation_id} charged but not refunded`);
  }
  const charged = payments.filter((p) => p.charge_id !== "");
  const refunded = payments.filter((p) => p.refunded);
  const gateway = await system.gatewayStats();
  if (gateway.approvedCharges !== charged.length) problems.push(`gateway charged ${gateway.approvedCharges}, payments record ${charged.length}`);
  if (new Set(gateway.approvedReservations).size !== gateway.approvedReservations.length) problems.push("a reservation was charged twice");
  if (gateway.refunds !== refunded.length) problems.push(`gateway refunded ${gateway.refunds}, payments record ${refunded.length}`);

  const notifications = await system.sql<{ reservation_id: string; kind: string; sent: boolean }>(
    "notice",
    "select reservation_id, kind, sent_at is not null as sent from notifications",
  );
  const cancelledNotices = notifications.filter((n) => n.kind === "RESERVATION_CANCELLED").length;
  const cancelled = reservations.filter((r) => r.status === "CANCELLED").length;
  // "Confirmed" is told exactly for the reservations that were confirmed (a charge refunded after a cancellation is not one).
  const confirmed = await system.sql<{ reservation_id: string }>(
    "customercenter",
    "select distinct reservation_id from mypage_history where event_type like '%ReservationConfirmed'",
  );
  const approvedNoticeIds = new Set(notifications.filter((n) => n.kind === "PAYMENT_APPROVED").map((n) => n.reservation_id));
  if (approvedNoticeIds.size !== confirmed.length || confirmed.some((c) => !approvedNoticeIds.has(c.reservation_id))) {
    problems.push(`${approvedNoticeIds.size} approval notices for ${confirmed.length} confirmed reservations`);
  }
  const refundNotices = notifications.filter((n) => n.kind === "PAYMENT_REFUNDED").length;
  if (refundNotices !== refunded.length) problems.push(`${refundNotices} refund notices for ${refunded.length} refunds`);
  if (cancelledNotices !== cancelled) problems.push(`${cancelledNotices} cancellation notices for ${cancelled} cancellations`);
  if (notifications.some((n) => !n.sent)) problems.push("a notification is unsent");
  if (new Set(notifications.map((n) => `${n.reservation_id}/${n.kind}`)).size !== notifications.length)
    problems.push("a notification was stored twice");

  const views = await system.sql<{
    reservation_id: string;
    reservation_status: string;
    payment_state: string;
    seats: number;
    amount: string;
    musical_id: string;
  }>("customercenter", "select reservation_id, reservation_status, payment_state, seats, amount::text, musical_id from mypage_reservations");
  const viewOf = new Map(views.map((v) => [v.reservation_id, v]));
  for (const r of reservations) {
    const v = viewOf.get(r.reservation_id);
    if (!v) problems.push(`MyPage lacks ${r.reservation_id}`);
    else if (
      v.reservation_status !== r.status ||
      v.payment_state !== r.payment_state ||
      v.seats !== r.seats ||
      v.amount !== r.amount ||
      v.musical_id !== r.musical_id
    ) {
      problems.push(`MyPage ${r.reservation_id}: ${v.reservation_status}/${v.payment_state} vs ${r.status}/${r.payment_state}`);
    }
  }
  const myPageNotices = await system.sql<{ n: number }>(
    "customercenter",
    "select count(*)::int as n from mypage_history where event_type like '%NotificationSent'",
  );
  if (myPageNotices[0]!.n !== notifications.length)
    problems.push(`MyPage shows ${myPageNotices[0]!.n} notifications, notice sent ${notifications.length}`);

  return {
    problems,
    counts: {
      reservations: reservations.length,
      paid: reservations.filter((r) => r.status === "PAID").length,
      cancelled,
      rejected: reservations.filter((r) => r.status === "REJECTED").length,
      seatsHeld: holds.reduce((sum, h) => sum + h.seats, 0),
      charges: charged.length,
      refunds: refunded.length,
      notifications: notifications.length,
      myPageRows: views.length,
    },
  };
}
