import { readInt } from "#kit/config.js";
import type { ServiceModule } from "#kit/server.js";
import { CustomerCenterService } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { entities } from "./adapters/schema.js";
import { migrations } from "./adapters/migrations.js";
import { ChangeFeed } from "./adapters/change-feed.js";
import { MyPage } from "./app/mypage.js";
import { MyPageWatchers } from "./app/mypage-watchers.js";
import { customerCenterService } from "./handlers/customercenter-rpc.js";
import { customerCenterRules } from "./request-validation.js";
import { musicalEventHandlers, noticeEventHandlers, paymentEventHandlers, reservationEventHandlers } from "./handlers/customercenter-events.js";

export const customerCenterModule: ServiceModule = {
  name: "customercenter",
  services: [CustomerCenterService],
  entities,
  migrations,
  rules: customerCenterRules,
  wire({ config, logger, bus, transactor, consume, pageTokens }) {
    const feed = new ChangeFeed(bus.nc, config.eventNamespace, logger);
    const myPage = new MyPage(transactor, feed);
    const watchers = new MyPageWatchers({
      myPage,
      signals: feed,
      logger,
      recheckMs: readInt(process.env, "MYPAGE_RECHECK_MS", 5_000),
      maxStreamsPerCustomer: readInt(process.env, "MYPAGE_MAX_STREAMS_PER_CUSTOMER", 10),
    });
    return {
      routes: (router) => router.service(CustomerCenterService, customerCenterService(myPage, watchers, pageTokens)),
      workers: [
        { start: () => feed.start(), stop: () => feed.stop() },
        watchers,
        consume("reservation", ...reservationEventHandlers(myPage)),
        consume("payment", ...paymentEventHandlers(myPage)),
        consume("musical", ...musicalEventHandlers(myPage)),
        consume("notice", ...noticeEventHandlers(myPage)),
      ],
    };
  },
};
