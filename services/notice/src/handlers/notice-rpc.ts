import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "#kit/auth.js";
import { PageTokens, paginate } from "#kit/paging.js";
import { NotificationKind, NotificationSchema, NoticeService, type Notification } from "#gen/outerpark/notice/v1/notice_pb.js";
import type { NotificationRecord } from "../domain/notification.js";
import type { Notifications } from "../app/notifications.js";

export function noticeService(notifications: Notifications, pageTokens: PageTokens): ServiceImpl<typeof NoticeService> {
  return {
    async listNotifications(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const { items, nextPageToken } = await paginate({
        tokens: pageTokens,
        scope: `notifications:${caller.subject}`,
        request: req,
        fetch: (after, limit) => notifications.list(caller.subject, after, limit),
        keysetOf: (n) => ({ at: n.createdAt, id: n.notificationId }),
      });
      return { notifications: items.map(toNotification), nextPageToken };
    },
  };
}

function toNotification(n: NotificationRecord): Notification {
  return create(NotificationSchema, {
    notificationId: n.notificationId,
    customerId: n.customerId,
    reservationId: n.reservationId,
    kind: NotificationKind[n.kind],
    message: n.message,
    channel: n.channel,
    ...(n.sentAt ? { sentAt: timestampFromDate(n.sentAt) } : {}),
  });
}
