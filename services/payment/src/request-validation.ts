import { defineRules, rule } from "#kit/validation.js";
import { GetPaymentRequestSchema, ListPaymentsRequestSchema } from "#gen/outerpark/payment/v1/payment_pb.js";

export const paymentRules = [
  defineRules(GetPaymentRequestSchema, { reservationId: rule.uuid() }),
  defineRules(ListPaymentsRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() }),
];
