import { defineRules, rule } from "#kit/validation.js";
import { ListNotificationsRequestSchema } from "#gen/outerpark/notice/v1/notice_pb.js";

export const noticeRules = [defineRules(ListNotificationsRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() })];
