import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { ReservationStatus } from "#gen/outerpark/reservation/v1/reservation_pb.js";

const won = new Intl.NumberFormat("en-US", { style: "currency", currency: "KRW" });

export const price = (amount: bigint | number) => won.format(Number(amount));

export const when = (at: Timestamp | undefined) =>
  at ? timestampDate(at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }) : "";

export const isoWhen = (at: Timestamp | undefined) => (at ? timestampDate(at).toISOString() : undefined);

export function statusLabel(status: ReservationStatus): string {
  switch (status) {
    case ReservationStatus.RESERVED:
      return "Placed";
    case ReservationStatus.PAID:
      return "Paid";
    case ReservationStatus.CANCELLED:
      return "Cancelled";
    case ReservationStatus.REJECTED:
      return "Rejected";
    case ReservationStatus.EXPIRED:
      return "Expired";
    default:
      return "Unknown";
  }
}

/** Whether a reservation can still be cancelled by its customer. */
export const isCancellable = (status: ReservationStatus) => status === ReservationStatus.RESERVED || status === ReservationStatus.PAID;
