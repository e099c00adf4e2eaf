import { Code, ConnectError } from "@connectrpc/connect";

/** Business refusals carry precise codes: the edge ejects hosts that answer INTERNAL/UNKNOWN/UNAVAILABLE. */
export const invalidArgument = (field: string, reason: string) => new ConnectError(`${field}: ${reason}`, Code.InvalidArgument);
export const notFound = (what: string) => new ConnectError(`${what} not found`, Code.NotFound);
export const alreadyExists = (message: string) => new ConnectError(message, Code.AlreadyExists);
export const failedPrecondition = (message: string) => new ConnectError(message, Code.FailedPrecondition);
export const permissionDenied = (message: string) => new ConnectError(message, Code.PermissionDenied);
export const unauthenticated = (message: string) => new ConnectError(message, Code.Unauthenticated);
export const unavailable = (message: string) => new ConnectError(message, Code.Unavailable);

/** PostgreSQL unique_violation, however the driver wraps it. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; name?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505" || e?.name === "UniqueConstraintViolationException";
}

/** Errors of the database connection itself, as opposed to a refused statement. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string };
  return (
    e?.name === "ConnectionException" ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01", "57P03", "08006", "08001"].includes(e?.code ?? "") ||
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e?.message ?? "")
  );
}
