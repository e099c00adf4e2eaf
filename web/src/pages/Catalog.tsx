import { useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { MusicalService, type Musical } from "#gen/outerpark/musical/v1/musical_pb.js";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { useApp } from "../app-context.js";
import { attemptFor, type Attempt } from "../attempt.js";
import { messageFor } from "../errors.js";
import { price } from "../format.js";
import { navigate } from "../router.js";

/** How often the open catalog refreshes its seat counts. */
const CATALOG_REFRESH_MS = 2_000;

export function Catalog() {
  const { api, session } = useApp();
  const catalog = useQuery(
    MusicalService.method.listMusicals,
    { pageSize: 100 },
    { transport: api.transports.musical, refetchInterval: CATALOG_REFRESH_MS },
  );
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Musicals</h1>
      {catalog.isPending && <p>Loading the catalog…</p>}
      {catalog.error && (
        <p role="alert" className="error">
          {messageFor(catalog.error, "browse")}
        </p>
      )}
      {catalog.data && catalog.data.musicals.length === 0 && <p>No musicals yet.</p>}
      {catalog.data && catalog.data.musicals.length > 0 && (
        <ul className="cards">
          {catalog.data.musicals.map((musical) => (
            <li key={musical.musicalId} className="card" data-musical={musical.name}>
              <h2>{musical.name}</h2>
              <p>
                <span className="price">{price(musical.seatPrice)}</span> per seat ·{" "}
                <span className="seats-left" aria-live="polite">
                  {musical.reservableSeats === 0 ? "Sold out" : `${musical.reservableSeats} of ${musical.totalSeats} seats left`}
                </span>
              </p>
              {session?.role === "customer" ? (
                <ReserveForm musical={musical} />
              ) : session ? null : (
                <p>
                  <a href="#/sign-in">Sign in</a> to reserve.
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ReserveForm({ musical }: { musical: Musical }) {
  const { api } = useApp();
  const [seats, setSeats] = useState(1);
  // Made once per attempt: clicking again, or retrying after an error, resends the same key.
  const [attempt, setAttempt] = useState<Attempt>();
  const place = useMutation(ReservationService.method.placeReservation, { transport: api.transports.reservation });
  const inputId = `seats-${musical.musicalId}`;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (place.isPending) return;
    const current = attemptFor(attempt, musical.musicalId, seats);
    setAttempt(current);
    place.mutate(
      { musicalId: current.musicalId, seats: current.seats, idempotencyKey: current.key },
      {
        onSuccess: ({ reservation }) => {
          setAttempt(undefined); // booked: the next click is a new booking
          if (reservation) navigate(`/reservations/${reservation.reservationId}`);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="reserve">
      <label htmlFor={inputId}>Seats</label>
      <input
        id={inputId}
        type="number"
        min={1}
        max={20}
        value={seats}
        onChange={(e) => setSeats(Math.max(1, Number(e.target.value) || 1))}
        disabled={place.isPending}
      />
      <button type="submit" disabled={place.isPending}>
        {place.isPending ? "Reserving…" : `Reserve ${musical.name}`}
      </button>
      {place.error && (
        <p role="alert" className="error">
          {messageFor(place.error, "reserve")}
        </p>
      )}
    </form>
  );
}
