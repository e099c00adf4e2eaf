import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "../../../../kit/src/auth.js";
import {
  CustomerCenterService,
  HistoryEntrySchema,
  MyNotificationSchema,
  MyReservationSchema,
  type MyReservation,
} from "../../../../gen/outerpark/customercenter/v1/customercenter_pb.js";
import { NotificationKind } from "../../../../gen/outerpark/notice/v1/notice_pb.js";
import { PaymentState, ReservationStatus } from "../../../../gen/outerpark/reservation/v1/reservation_pb.js";
import type { MyPage, MyReservationView } from "../app/mypage.js";

export function customerCenterService(myPage: MyPage, recheckMs: number): ServiceImpl<typeof CustomerCenterService> {
  return {
    async getMyPage(_req, ctx) {
      const caller = requireRole(ctx, "customer");
      const views = await myPage.page(caller.subject);
      return { customerId: caller.subject, reservations: views.map(toMyReservation) };
    },

    /** The whole page first, then every change. Changes are signalled by any replica; a periodic re-check covers a lost signal. */
    async *watchMyPage(_req, ctx) {
      const caller = requireRole(ctx, "customer");
      let changed = true;
      let wake: (() => void) | undefined;
      const stopListening = myPage.onChange(caller.subject, () => {
        changed = true;
        wake?.();
      });
      const onAbort = () => wake?.();
      ctx.signal.addEventListener("abort", onAbort);
      try {
        let seenVersion = 0;
        while (!ctx.signal.aborted) {
          if (changed) {
            changed = false;
            const changes = await myPage.page(caller.subject, seenVersion);
            changes.sort((a, b) => Number(a.reservation.version) - Number(b.reservation.version));
            for (const view of changes) {
              seenVersion = Math.max(seenVersion, Number(view.reservation.version));
              yield { reservation: toMyReservation(view) };
            }
          }
          // A change signalled while the page was read or sent must not wait for the next one.
          if (changed || ctx.signal.aborted) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              changed = true;
              resolve();
            }, recheckMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        stopListening();
        ctx.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

function toMyReservation({ reservation: r, history }: MyReservationView): MyReservation {
  return create(MyReservationSchema, {
    reservationId: r.reservationId,
    musicalId: r.musicalId,
    musicalName: r.musicalName,
    seats: r.seats,
    amount: r.amount,
    reservationStatus: ReservationStatus[r.reservationStatus as keyof typeof ReservationStatus] ?? ReservationStatus.UNSPECIFIED,
    paymentState: PaymentState[r.paymentState as keyof typeof PaymentState] ?? PaymentState.UNSPECIFIED,
    notifications: history.flatMap((h) =>
      h.fact.type === "NotificationSent"
        ? [
            create(MyNotificationSchema, {
              notificationId: h.fact.notificationId,
              kind: NotificationKind[h.fact.kind as keyof typeof NotificationKind] ?? NotificationKind.UNSPECIFIED,
              message: h.fact.message,
              sentAt: timestampFromDate(h.occurredAt),
            }),
          ]
        : [],
    ),
    history: history.map((h) =>
      create(HistoryEntrySchema, { eventType: h.eventType, eventId: h.eventId, summary: h.summary, occurredAt: timestampFromDate(h.occurredAt) }),
    ),
    version: BigInt(r.version),
    updatedAt: timestampFromDate(r.updatedAt),
  });
}
