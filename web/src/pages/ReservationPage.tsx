import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { ReservationService, ReservationStatus } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { useApp } from "../app-context.js";
import { messageFor, paymentLabel } from "../errors.js";
import { isCancellable, price, statusLabel, when } from "../format.js";

/** While payment is under way the page polls; once settled it stops. */
const UNSETTLED_REFRESH_MS = 1_000;

export function ReservationPage({ reservationId }: { reservationId: string }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const reservation = useQuery(
    ReservationService.method.getReservation,
    { reservationId },
    {
      transport: api.transports.reservation,
      retry: false,
      refetchInterval: (query) => (query.state.data?.reservation?.status === ReservationStatus.RESERVED ? UNSETTLED_REFRESH_MS : 5_000),
    },
  );
  const cancel = useMutation(ReservationService.method.cancelReservation, {
    transport: api.transports.reservation,
    onSuccess: () => queryClient.invalidateQueries(),
  });
  const r = reservation.data?.reservation;

  return (
    <section aria-labelledby="reservation-title">
      <h1 id="reservation-title">Reservation</h1>
      {reservation.isPending && <p>Loading…</p>}
      {reservation.error && (
        <p role="alert" className="error">
          {messageFor(reservation.error, "open-reservation")}
        </p>
      )}
      {r && (
        <div className="card">
          <h2>{r.musicalName}</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd data-testid="reservation-status" aria-live="polite">
              {statusLabel(r.status)}
            </dd>
            <dt>Payment</dt>
            <dd data-testid="payment-state" aria-live="polite">
              {paymentLabel(r.paymentState)}
            </dd>
            <dt>Seats</dt>
            <dd>{r.seats}</dd>
            <dt>Amount</dt>
            <dd>{price(r.amount)}</dd>
            <dt>Placed</dt>
            <dd>{when(r.placedAt)}</dd>
            <dt>Reservation id</dt>
            <dd>
              <code>{r.reservationId}</code>
            </dd>
          </dl>
          {isCancellable(r.status) && (
            <button type="button" onClick={() => cancel.mutate({ reservationId: r.reservationId })} disabled={cancel.isPending}>
              {cancel.isPending ? "Cancelling…" : "Cancel reservation"}
            </button>
          )}
          {cancel.error && (
            <p role="alert" className="error">
              {messageFor(cancel.error, "cancel")}
            </p>
          )}
          <p>
            <a href="#/mypage">See all your reservations on MyPage</a>
          </p>
        </div>
      )}
    </section>
  );
}
