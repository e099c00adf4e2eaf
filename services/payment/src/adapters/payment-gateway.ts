import type { Logger } from "pino";
import { BrokenCircuitError, TaskCancelledError, createBreaker, type Breaker } from "#kit/breaker.js";
import { classifyChargeStatus, type ChargeOutcome, type VoidAnswer } from "../domain/payment.js";

export type RefundOutcome = { kind: "refunded" } | { kind: "unavailable"; reason: string };

/** The gateway said something other than yes or no: it is down or overloaded. */
class GatewayUnavailable extends Error {}

/**
 * The card processor behind a circuit breaker with a timeout. While the breaker
 * is open, calls fail fast as "unavailable" and the payment is retried later,
 * so an overloaded gateway is not hammered. Every request carries an
 * idempotency key, so a retry after a lost answer never charges twice.
 */
export class PaymentGateway {
  readonly #breaker: Breaker;

  constructor(
    private readonly baseUrl: string,
    logger: Logger,
    timeoutMs: number,
  ) {
    this.#breaker = createBreaker({
      name: "payment-gateway",
      logger,
      timeoutMs,
      failuresToOpen: 5,
      halfOpenAfterMs: 2_000,
      isFailure: (error) => error instanceof GatewayUnavailable || error instanceof TypeError /* fetch: connection refused */,
    });
  }

  get breakerState(): string {
    return this.#breaker.state;
  }

  async charge(request: { key: string; amount: bigint; customerId: string; reservationId: string }): Promise<ChargeOutcome> {
    try {
      const { status, body } = await this.#post("/charges", { ...request, amount: Number(request.amount) });
      switch (classifyChargeStatus(status)) {
        case "approved":
          return { kind: "approved", chargeId: String(body.chargeId ?? "") };
        case "declined":
          return { kind: "declined", reason: String(body.reason ?? "declined") };
        case "refused":
          return { kind: "refused", reason: `gateway refused the charge (HTTP ${status}${body.error ? `: ${String(body.error)}` : ""})` };
        case "unavailable":
          return { kind: "unavailable", reason: `gateway answered ${status}` };
      }
    } catch (error) {
      return { kind: "unavailable", reason: describe(error) };
    }
  }

  /**
   * Voids a charge key whose answer was lost: the gateway either reports the
   * charge (to be refunded) or bars the key, so a charge still in flight with
   * it is declined when it lands. Atomic at the gateway, unlike look-then-void.
   */
  async voidCharge(key: string): Promise<VoidAnswer> {
    try {
      const { status, body } = await this.#post(`/charges/${encodeURIComponent(key)}/void`, {});
      if (status === 200 && body.status === "approved") return { kind: "approved", chargeId: String(body.chargeId ?? "") };
      if (status === 200) return { kind: "voided" };
      return { kind: "unavailable", reason: `gateway answered ${status}` };
    } catch (error) {
      return { kind: "unavailable", reason: describe(error) };
    }
  }

  async refund(request: { key: string; chargeId: string; amount: bigint }): Promise<RefundOutcome> {
    try {
      const { status } = await this.#post("/refunds", { ...request, amount: Number(request.amount) });
      return status === 200 ? { kind: "refunded" } : { kind: "unavailable", reason: `gateway answered ${status}` };
    } catch (error) {
      return { kind: "unavailable", reason: describe(error) };
    }
  }

  async #post(path: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.#breaker.execute(async (signal) => {
      const response = await fetch(new URL(path, this.baseUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal,
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.status >= 500 || response.status === 429) throw new GatewayUnavailable(`gateway answered ${response.status}`);
      return { status: response.status, body };
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof BrokenCircuitError) return "circuit open: gateway is failing, payment deferred";
  if (error instanceof TaskCancelledError) return "gateway timed out";
  return error instanceof Error ? error.message : String(error);
}
