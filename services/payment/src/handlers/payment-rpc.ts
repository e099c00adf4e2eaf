import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "#kit/auth.js";
import { PageTokens, paginate } from "#kit/paging.js";
import { PaymentSchema, PaymentService, PaymentStatus, type Payment } from "#gen/outerpark/payment/v1/payment_pb.js";
import type { PaymentRecord } from "../domain/payment.js";
import type { Payments } from "../app/payments.js";

export function paymentService(payments: Payments, pageTokens: PageTokens): ServiceImpl<typeof PaymentService> {
  return {
    async getPayment(req, ctx) {
      const caller = requireRole(ctx, "customer", "manager", "service");
      return { payment: toPayment(await payments.get(caller, req.reservationId)) };
    },

    async listPayments(req, ctx) {
      const caller = requireRole(ctx, "customer");
      const { items, nextPageToken } = await paginate({
        tokens: pageTokens,
        scope: `payments:${caller.subject}`,
        request: req,
        fetch: (after, limit) => payments.list(caller.subject, after, limit),
        keysetOf: (p) => ({ at: p.createdAt, id: p.paymentId }),
      });
      return { payments: items.map(toPayment), nextPageToken };
    },
  };
}

function toPayment(p: PaymentRecord): Payment {
  return create(PaymentSchema, {
    paymentId: p.paymentId,
    reservationId: p.reservationId,
    customerId: p.customerId,
    amount: p.amount,
    status: PaymentStatus[p.status],
    refunded: p.refunded,
    failureReason: p.failureReason,
    attempts: p.attempts,
    createdAt: timestampFromDate(p.createdAt),
    updatedAt: timestampFromDate(p.updatedAt),
  });
}
