import type { ServiceModule } from "#kit/server.js";
import { NoticeService } from "#gen/outerpark/notice/v1/notice_pb.js";
import { entities } from "./adapters/schema.js";
import { migrations } from "./adapters/migrations.js";
import { LogChannel } from "./adapters/channels.js";
import { Notifications } from "./app/notifications.js";
import { paymentEventHandlers, reservationEventHandlers } from "./handlers/notice-events.js";
import { noticeService } from "./handlers/notice-rpc.js";
import { noticeRules } from "./request-validation.js";

export const noticeModule: ServiceModule = {
  name: "notice",
  services: [NoticeService],
  entities,
  migrations,
  rules: noticeRules,
  wire({ logger, transactor, consumeEachType, pageTokens }) {
    const notifications = new Notifications(transactor, new LogChannel(logger), logger);
    return {
      routes: (router) => router.service(NoticeService, noticeService(notifications, pageTokens)),
      workers: [
        // Five types of the two streams; ReservationPlaced and PaymentApproved, which every reservation has, are never sent here.
        consumeEachType("payment", ...paymentEventHandlers(notifications)),
        consumeEachType("reservation", ...reservationEventHandlers(notifications)),
        notifications.dispatcher,
      ],
    };
  },
};
