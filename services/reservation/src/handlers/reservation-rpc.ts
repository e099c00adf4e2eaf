import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "#kit/auth.js";
import { PageTokens, paginate } from "#kit/paging.js";
import {
  PaymentState,
  ReservationSchema,
  ReservationService,
  ReservationStatus,
  type Reservation,
} from "#gen/outerpark/reservation/v1/reservation_pb.js";
import type { ReservationRecord } from "../domain/reservation.js";
import type { Reservations } from "../app/reservations.js";

export function reservationService(reservations: Reservations, pageTokens: PageTokens): ServiceImpl<typeof ReservationService> {
  return {
    async placeReservation(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const reservation = await reservations.place({
        customerId: caller.subject,
        musicalId: req.musicalId,
        seats: req.seats,
        idempotencyKey: req.idempotencyKey,
      });
      return { reservation: toReservation(reservation) };
    },

    async cancelReservation(req, ctx) {
      const caller = requireRole(ctx, "customer");
      return { reservation: toReservation(await reservations.cancel(caller, req.reservationId)) };
    },

    async getReservation(req, ctx) {
      const caller = requireRole(ctx, "customer", "manager", "service");
      return { reservation: toReservation(await reservations.get(caller, req.reservationId)) };
    },

    async listReservations(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const { items, nextPageToken } = await paginate({
        tokens: pageTokens,
        scope: `reservations:${caller.subject}`,
        request: req,
        fetch: (after, limit) => reservations.list(caller.subject, after, limit),
        keysetOf: (r) => ({ at: r.placedAt, id: r.reservationId }),
      });
      return { reservations: items.map(toReservation), nextPageToken };
    },
  };
}

export function toReservation(r: ReservationRecord): Reservation {
  return create(ReservationSchema, {
    reservationId: r.reservationId,
    customerId: r.customerId,
    musicalId: r.musicalId,
    musicalName: r.musicalName,
    seats: r.seats,
    amount: r.amount,
    status: ReservationStatus[r.status === "PLACING" || r.status === "ABORTING" ? "UNSPECIFIED" : r.status],
    paymentState: PaymentState[r.paymentState],
    placedAt: timestampFromDate(r.placedAt),
    updatedAt: timestampFromDate(r.updatedAt),
  });
}
