import { useEffect, useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { NotificationKind } from "#gen/outerpark/notice/v1/notice_pb.js";
import type { MyReservation } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { useApp } from "../app-context.js";
import { messageFor, paymentLabel } from "../errors.js";
import { isCancellable, isoWhen, price, statusLabel, when } from "../format.js";
import { followMyPage, mergeReservation, newestFirst, type FeedStatus, type MyPageState } from "../mypage-feed.js";

const FEED_LABELS: Record<FeedStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting… (connection lost; nothing is missed, updates resume when it is back)",
  stopped: "Stopped",
};

export function MyPage() {
  const { api } = useApp();
  const [state, setState] = useState<MyPageState>(new Map());
  const [status, setStatus] = useState<FeedStatus>("connecting");
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    const stop = new AbortController();
    void followMyPage(
      api.customercenter,
      (reservation) => setState((current) => mergeReservation(current, reservation)),
      (next, error) => {
        setStatus(next);
        setProblem(next === "stopped" ? messageFor(error, "mypage") : undefined);
      },
      stop.signal,
    );
    return () => stop.abort();
  }, [api]);

  const reservations = newestFirst(state);
  return (
    <section aria-labelledby="mypage-title">
      <h1 id="mypage-title">MyPage</h1>
      <p className={`feed feed-${status}`} role="status" data-testid="feed-status">
        {FEED_LABELS[status]}
        {problem ? ` — ${problem}` : ""}
      </p>
      {status === "live" && reservations.length === 0 && <p>No reservations yet.</p>}
      <ul className="cards stack">
        {reservations.map((r) => (
          <MyReservationCard key={r.reservationId} reservation={r} />
        ))}
      </ul>
    </section>
  );
}

function MyReservationCard({ reservation: r }: { reservation: MyReservation }) {
  const { api } = useApp();
  // The card updates from the stream, not from this call's answer: MyPage shows what the system recorded.
  const cancel = useMutation(ReservationService.method.cancelReservation, { transport: api.transports.reservation });
  return (
    <li className="card" data-reservation={r.reservationId}>
      <h2>
        <a href={`#/reservations/${r.reservationId}`}>{r.musicalName}</a>
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="mypage-status">{statusLabel(r.reservationStatus)}</dd>
        <dt>Payment</dt>
        <dd data-testid="mypage-payment">{paymentLabel(r.paymentState)}</dd>
        <dt>Seats</dt>
        <dd>{r.seats}</dd>
        <dt>Amount</dt>
        <dd>{price(r.amount)}</dd>
      </dl>
      {isCancellable(r.reservationStatus) && (
        <button type="button" onClick={() => cancel.mutate({ reservationId: r.reservationId })} disabled={cancel.isPending}>
          {cancel.isPending ? "Cancelling…" : `Cancel ${r.musicalName}`}
        </button>
      )}
      {cancel.error && (
        <p role="alert" className="error">
          {messageFor(cancel.error, "cancel")}
        </p>
      )}
      <h3>Notifications</h3>
      {r.notifications.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul className="notifications" data-testid="notifications">
          {r.notifications.map((n) => (
            <li key={n.notificationId}>
              <time dateTime={isoWhen(n.sentAt)}>{when(n.sentAt)}</time> <strong>{kindLabel(n.kind)}</strong> {n.message}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>History ({r.history.length} steps)</summary>
        <ol className="history">
          {r.history.map((h) => (
            <li key={h.eventId}>
              <time dateTime={isoWhen(h.occurredAt)}>{when(h.occurredAt)}</time> {h.summary}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

function kindLabel(kind: NotificationKind): string {
  const name = NotificationKind[kind] ?? "UNSPECIFIED";
  return name === "UNSPECIFIED" ? "Notice" : name.charAt(0) + name.slice(1).toLowerCase().replaceAll("_", " ");
}
