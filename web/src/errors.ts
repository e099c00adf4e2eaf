import { Code, ConnectError } from "@connectrpc/connect";
import { PaymentState } from "#gen/outerpark/reservation/v1/reservation_pb.js";

/** What the person was doing when a call was refused: the same code means different things in different places. */
export type Action = "browse" | "sign-in" | "register" | "reserve" | "cancel" | "open-reservation" | "mypage";

/**
 * A clear sentence for a refused call, from its gRPC status, never the raw error.
 * The server's own message is shown only for INVALID_ARGUMENT, where it names the field.
 */
export function messageFor(error: unknown, action: Action): string {
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.FailedPrecondition:
      return action === "reserve" ? "Sold out: not enough seats are left for this show." : "That cannot be done in the reservation's current state.";
    case Code.PermissionDenied:
      if (action === "open-reservation" || action === "cancel") return "This reservation is not yours: you can only see and change your own.";
      if (action === "register") return "Only show managers can register musicals.";
      return "You are not allowed to do that with this account.";
    case Code.Unauthenticated:
      return "Your sign-in has expired or is missing. Please sign in again.";
    case Code.NotFound:
      if (action === "open-reservation" || action === "cancel") return "No such reservation.";
      return action === "reserve" ? "This musical does not exist (any more)." : "Not found.";
    case Code.AlreadyExists:
      return action === "register" ? "A musical with this id is already registered with different details." : "This was already done differently.";
    case Code.InvalidArgument:
      return `Please check your input: ${e.rawMessage}.`;
    case Code.Unavailable:
    case Code.ResourceExhausted:
    case Code.DeadlineExceeded:
    case Code.Aborted:
      return "The service is busy right now. Please retry in a moment.";
    case Code.Canceled:
      return "The request was cancelled.";
    default:
      return "Something went wrong on our side. Please retry; if it keeps happening, contact support.";
  }
}

/** Whether retrying the same attempt (with the same idempotency key) may succeed. */
export function isRetryable(error: unknown): boolean {
  const code = ConnectError.from(error).code;
  return (
    code === Code.Unavailable || code === Code.ResourceExhausted || code === Code.DeadlineExceeded || code === Code.Aborted || code === Code.Unknown
  );
}

/** The payment's state as a person reads it; a deferred payment is not a failure. */
export function paymentLabel(state: PaymentState): string {
  switch (state) {
    case PaymentState.PENDING:
      return "Payment pending";
    case PaymentState.DEFERRED:
      return "Payment deferred: the payment provider is unavailable, you will be charged later";
    case PaymentState.APPROVED:
      return "Paid";
    case PaymentState.DECLINED:
      return "Payment declined";
    case PaymentState.CANCELLED:
      return "Refunded";
    case PaymentState.EXPIRED:
      return "Payment expired";
    default:
      return "Payment not started";
  }
}
