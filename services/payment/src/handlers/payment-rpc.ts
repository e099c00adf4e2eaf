import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole } from "../../../../kit/src/auth.js";
import { PageTokens, pageSizeOf } from "../../../../kit/src/paging.js";
import { PaymentSchema, PaymentService, PaymentStatus, type Payment } from "../../../../gen/outerpark/payment/v1/payment_pb.js";
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
      const scope = `payments:${caller.subject}`;
      const cursor = pageTokens.decode(req.pageToken, scope);
      const limit = pageSizeOf(req.pageSize);
      const before = cursor ? { createdAt: new Date(cursor.after), paymentId: cursor.id } : undefined;
      const page = await payments.list(caller.subject, before, limit + 1);
      const items = page.slice(0, limit);
      const last = items.at(-1);
      const nextPageToken = page.length > limit && last ? pageTokens.encode({ after: last.createdAt.toISOString(), id: last.paymentId, scope }) : "";
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
