import { defineRules, rule } from "#kit/validation.js";
import { GetMyPageRequestSchema, WatchMyPageRequestSchema } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";

export const customerCenterRules = [
  defineRules(GetMyPageRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() }),
  defineRules(WatchMyPageRequestSchema, { pageSize: rule.pageSize() }),
];
