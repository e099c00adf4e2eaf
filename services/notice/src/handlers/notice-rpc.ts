import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "../../../../kit/src/auth.js";
import { PageTokens, pageSizeOf } from "../../../../kit/src/paging.js";
import { NotificationKind, NotificationSchema, NoticeService, type Notification } from "../../../../gen/outerpark/notice/v1/notice_pb.js";
import type { NotificationRecord } from "../domain/notification.js";
import type { Notifications } from "../app/notifications.js";

export function noticeService(notifications: Notifications, pageTokens: PageTokens): ServiceImpl<typeof NoticeService> {
  return {
    async listNotifications(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const scope = `notifications:${caller.subject}`;
      const cursor = pageTokens.decode(req.pageToken, scope);
      const limit = pageSizeOf(req.pageSize);
      const before = cursor ? { createdAt: new Date(cursor.after), notificationId: cursor.id } : undefined;
      const page = await notifications.list(caller.subject, before, limit + 1);
      const items = page.slice(0, limit);
      const last = items.at(-1);
      const nextPageToken =
        page.length > limit && last ? pageTokens.encode({ after: last.createdAt.toISOString(), id: last.notificationId, scope }) : "";
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
