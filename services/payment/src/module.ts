import { DEFAULT_GATEWAY_PORT, readInt, readString } from "#kit/config.js";
import type { ServiceModule } from "#kit/server.js";
import { PaymentService } from "#gen/outerpark/payment/v1/payment_pb.js";
import { entities } from "./adapters/schema.js";
import { migrations } from "./adapters/migrations.js";
import { PaymentGateway } from "./adapters/payment-gateway.js";
import { PaymentProcessor } from "./app/payment-processor.js";
import { Payments } from "./app/payments.js";
import { watchUnsettledPayments } from "./app/payment-metrics.js";
import { paymentService } from "./handlers/payment-rpc.js";
import { reservationEventHandlers } from "./handlers/payment-events.js";
import { paymentRules } from "./request-validation.js";

export const paymentModule: ServiceModule = {
  name: "payment",
  services: [PaymentService],
  entities,
  migrations,
  rules: paymentRules,
  wire({ logger, transactor, consumeEachType, pageTokens }) {
    const gateway = new PaymentGateway(
      readString(process.env, "PAYMENT_GATEWAY_URL", `http://127.0.0.1:${DEFAULT_GATEWAY_PORT}`),
      logger,
      readInt(process.env, "GATEWAY_TIMEOUT_MS", 2_000),
    );
    // An unsettled payment expires this long after its reservation was placed, and the seats go back.
    const payments = new Payments(transactor, gateway, logger, readInt(process.env, "PAYMENT_DEADLINE_MS", 15 * 60_000));
    watchUnsettledPayments(transactor);
    const processor = new PaymentProcessor(transactor, payments, logger, {
      // Payments in flight at once (gateway calls and their commits).
      concurrency: readInt(process.env, "PAYMENT_CONCURRENCY", 16),
      // A crashed replica's payments wait this long; it must outlast a gateway call.
      leaseMs: readInt(process.env, "PAYMENT_LEASE_MS", 60_000),
      // Woken by every payment the consumer records; the poll only finds retries that came due.
      pollMs: 1_000,
    });
    return {
      routes: (router) => router.service(PaymentService, paymentService(payments, pageTokens)),
      // Two of reservation's five event types; ReservationConfirmed, which every reservation has, is never sent here.
      workers: [consumeEachType("reservation", ...reservationEventHandlers(payments, () => processor.wake())), processor],
    };
  },
};
