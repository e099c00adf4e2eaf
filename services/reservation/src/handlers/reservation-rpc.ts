import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "../../../../kit/src/auth.js";
import { PageTokens, pageSizeOf } from "../../../../kit/src/paging.js";
import {
  PaymentState,
  ReservationSchema,
  ReservationService,
  ReservationStatus,
  type Reservation,
} from "../../../../gen/outerpark/reservation/v1/reservation_pb.js";
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
      const scope = `reservations:${caller.subject}`;
      const cursor = pageTokens.decode(req.pageToken, scope);
      const limit = pageSizeOf(req.pageSize);
      const before = cursor ? { placedAt: new Date(cursor.after), reservationId: cursor.id } : undefined;
      const page = await reservations.list(caller.subject, before, limit + 1);
      const items = page.slice(0, limit);
      const last = items.at(-1);
      const nextPageToken =
        page.length > limit && last ? pageTokens.encode({ after: last.placedAt.toISOString(), id: last.reservationId, scope }) : "";
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
    status: ReservationStatus[r.status === "PLACING" ? "UNSPECIFIED" : r.status],
    paymentState: PaymentState[r.paymentState],
    placedAt: timestampFromDate(r.placedAt),
    updatedAt: timestampFromDate(r.updatedAt),
  });
}
