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

/** Where a page starts: the sort time and id of the last item of the previous page. */
export interface Keyset {
  at: Date;
  id: string;
}

/**
 * One page of a keyset-paginated listing: decodes the caller's token, fetches
 * one item more than asked to learn whether another page exists, and signs the
 * next token.
 */
export async function paginate<T>(options: {
  tokens: PageTokens;
  /** Ties a token to one listing (and one customer), e.g. "reservations:alice". */
  scope: string;
  request: { pageSize: number; pageToken: string };
  fetch: (after: Keyset | undefined, limit: number) => Promise<T[]>;
  keysetOf: (item: T) => Keyset;
}): Promise<{ items: T[]; nextPageToken: string }> {
  const cursor = options.tokens.decode(options.request.pageToken, options.scope);
  const limit = pageSizeOf(options.request.pageSize);
  const page = await options.fetch(cursor ? { at: new Date(cursor.after), id: cursor.id } : undefined, limit + 1);
  const items = page.slice(0, limit);
  const last = items.at(-1);
  if (page.length <= limit || !last) return { items, nextPageToken: "" };
  const keyset = options.keysetOf(last);
  return { items, nextPageToken: options.tokens.encode({ after: keyset.at.toISOString(), id: keyset.id, scope: options.scope }) };
}

/** The MikroORM filter for "after this keyset" in a listing ordered by (time, id), ascending or descending. */
export function keysetFilter(timeField: string, idField: string, after: Keyset | undefined, order: "asc" | "desc"): Record<string, unknown> {
  if (!after) return {};
  const beyond = order === "asc" ? "$gt" : "$lt";
  return { $or: [{ [timeField]: { [beyond]: after.at } }, { [timeField]: after.at, [idField]: { [beyond]: after.id } }] };
}
