import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "#kit/auth.js";
import { unavailable } from "#kit/errors.js";
import {
  CustomerCenterService,
  HistoryEntrySchema,
  MyNotificationSchema,
  MyReservationSchema,
  type MyReservation,
} from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { NotificationKind } from "#gen/outerpark/notice/v1/notice_pb.js";
import { PaymentState, ReservationStatus } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { PageTokens, paginate } from "#kit/paging.js";
import type { MyPage, MyReservationView } from "../app/mypage.js";
import type { MyPageWatchers } from "../app/mypage-watchers.js";

export function customerCenterService(myPage: MyPage, watchers: MyPageWatchers, pageTokens: PageTokens): ServiceImpl<typeof CustomerCenterService> {
  /** A page of MyPage and the highest version of the customer's reservations when it was read. */
  const pageOf = async (customerId: string, request: { pageSize: number; pageToken: string }) => {
    let latestVersion = 0;
    const page = await paginate({
      tokens: pageTokens,
      scope: `mypage:${customerId}`,
      request,
      fetch: async (after, limit) => {
        const read = await myPage.page(customerId, after, limit);
        latestVersion = read.latestVersion;
        return read.views;
      },
      keysetOf: (view) => ({ at: view.reservation.placedAt, id: view.reservation.reservationId }),
    });
    return { ...page, latestVersion };
  };

  return {
    async getMyPage(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const { items, nextPageToken } = await pageOf(caller.subject, req);
      return { customerId: caller.subject, reservations: items.map(toMyReservation), nextPageToken };
    },

    /**
     * The first page, then every change of any of the caller's reservations. All streams of the process are served
     * by one change feed (MyPageWatchers); the stream is registered before its first page is read, so a change
     * committed meanwhile is sent after the page.
     */
    async *watchMyPage(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const watch = watchers.watch(caller.subject);
      try {
        const first = await pageOf(caller.subject, { pageSize: req.pageSize, pageToken: "" });
        watch.start(first.latestVersion);
        for (const [i, view] of first.items.entries()) {
          yield { reservation: toMyReservation(view), nextPageToken: i === first.items.length - 1 ? first.nextPageToken : "" };
        }
        for await (const view of watch.changes(ctx.signal)) yield { reservation: toMyReservation(view) };
        // The stream never ends on its own: it ends here only because this replica is shutting down (or the
        // client left). UNAVAILABLE, not OK, tells a client to reconnect (to another replica) rather than stop.
        throw unavailable("this replica is shutting down - reconnect to keep watching");
      } finally {
        watch.close();
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
