import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "./errors.js";

/**
 * Opaque, tamper-proof page tokens: a keyset cursor signed with HMAC, so a
 * client can neither forge a position nor read another listing's cursor.
 */
export interface PageCursor {
  /** Sort key of the last item returned (ISO time or other text). */
  after: string;
  /** Tie-breaker: id of the last item returned. */
  id: string;
  /** What the token is for, e.g. "musicals" or "reservations:<customer>". */
  scope: string;
}

export class PageTokens {
  readonly #key: Buffer;

  constructor(secret: string, purpose: string) {
    this.#key = createHmac("sha256", secret).update(`page-token:${purpose}`).digest();
  }

  encode(cursor: PageCursor): string {
    const body = Buffer.from(JSON.stringify([cursor.after, cursor.id, cursor.scope])).toString("base64url");
    return `${body}.${this.#sign(body)}`;
  }

  /** Undefined for an empty token (first page); INVALID_ARGUMENT for a tampered one. */
  decode(token: string, scope: string): PageCursor | undefined {
    if (token === "") return undefined;
    const [body, signature, extra] = token.split(".");
    if (!body || !signature || extra !== undefined) throw invalidArgument("page_token", "is malformed");
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidArgument("page_token", "is not valid");
    const parsed: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 3 || parsed.some((p) => typeof p !== "string")) {
      throw invalidArgument("page_token", "is malformed");
    }
    const [after, id, tokenScope] = parsed as [string, string, string];
    if (tokenScope !== scope) throw invalidArgument("page_token", "belongs to another listing");
    // Every listing sorts by a time; a cursor that is not one cannot have come from us.
    if (Number.isNaN(Date.parse(after))) throw invalidArgument("page_token", "is malformed");
    return { after, id, scope };
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#key).update(body).digest("base64url");
  }
}

export function pageSizeOf(requested: number, fallback = 20, maximum = 100): number {
  if (requested <= 0) return fallback;
  return Math.min(requested, maximum);
}
