import { defineRules, rule } from "#kit/validation.js";
import { GetMyPageRequestSchema, WatchMyPageRequestSchema } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";

/** WatchMyPage is a stream, which the kit's validation interceptor does not look into: its handler checks this itself. */
export const watchMyPageRules = defineRules(WatchMyPageRequestSchema, { pageSize: rule.pageSize() });

export const customerCenterRules = [
  defineRules(GetMyPageRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() }),
  watchMyPageRules,
];
