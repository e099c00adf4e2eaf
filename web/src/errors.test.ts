import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { PaymentState } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { isRetryable, messageFor, paymentLabel } from "./errors.js";

const refused = (code: Code, message = "raw server text") => new ConnectError(message, code);

describe("messageFor", () => {
  it("says sold out for FAILED_PRECONDITION on reserve, and nothing about seats elsewhere", () => {
    expect(messageFor(refused(Code.FailedPrecondition), "reserve")).toMatch(/^Sold out/);
    expect(messageFor(refused(Code.FailedPrecondition), "cancel")).not.toMatch(/sold out/i);
  });

  it("says not yours for PERMISSION_DENIED on another customer's reservation", () => {
    expect(messageFor(refused(Code.PermissionDenied), "open-reservation")).toMatch(/not yours/);
    expect(messageFor(refused(Code.PermissionDenied), "cancel")).toMatch(/not yours/);
    expect(messageFor(refused(Code.PermissionDenied), "register")).toMatch(/Only show managers/);
  });

  it.each([Code.Unavailable, Code.ResourceExhausted, Code.DeadlineExceeded])("says busy, retry for %s", (code) => {
    expect(messageFor(refused(code), "reserve")).toMatch(/busy.*retry/i);
    expect(isRetryable(refused(code))).toBe(true);
  });

  it("never shows the raw server text, except the field an INVALID_ARGUMENT names", () => {
    for (const code of [Code.Internal, Code.Unknown, Code.PermissionDenied, Code.FailedPrecondition, Code.Unauthenticated]) {
      expect(messageFor(refused(code, "secret stack trace"), "reserve")).not.toContain("secret");
    }
    expect(messageFor(refused(Code.InvalidArgument, "seats: must be at least 1"), "reserve")).toContain("seats: must be at least 1");
  });

  it("treats anything that is not a ConnectError as an internal failure", () => {
    expect(messageFor(new TypeError("x is undefined"), "browse")).toMatch(/went wrong/);
  });

  it("does not offer a retry for refusals that will not change", () => {
    expect(isRetryable(refused(Code.FailedPrecondition))).toBe(false);
    expect(isRetryable(refused(Code.PermissionDenied))).toBe(false);
    expect(isRetryable(refused(Code.InvalidArgument))).toBe(false);
  });
});

describe("paymentLabel", () => {
  it("explains a deferred payment as charged later, and a cancelled one as refunded", () => {
    expect(paymentLabel(PaymentState.DEFERRED)).toMatch(/charged later/);
    expect(paymentLabel(PaymentState.CANCELLED)).toBe("Refunded");
    expect(paymentLabel(PaymentState.APPROVED)).toBe("Paid");
  });
});
