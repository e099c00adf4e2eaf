import { defineRules, rule } from "#kit/validation.js";
import {
  GetMusicalRequestSchema,
  ListMusicalsRequestSchema,
  RegisterMusicalRequestSchema,
  ReleaseSeatsRequestSchema,
  ReserveSeatsRequestSchema,
} from "#gen/outerpark/musical/v1/musical_pb.js";
import { MUSICAL_ID_PATTERN } from "./domain/musical.js";

const musicalId = (required: boolean) =>
  rule.text(64, { required, pattern: MUSICAL_ID_PATTERN, patternHint: "letters, digits, '-' or '_' (at most 64)" });

// PostgreSQL text cannot hold NUL (the insert fails as INTERNAL), and other
// control characters in names end up in logs, notifications and terminals.
const printable = { pattern: /^\P{Cc}*$/u, patternHint: "printable text (no control characters)" };

export const musicalRules = [
  defineRules(RegisterMusicalRequestSchema, {
    musicalId: musicalId(false),
    name: rule.text(200, printable),
    totalSeats: rule.int(1, 100_000),
    seatPrice: rule.bigint(0n, 100_000_000n),
  }),
  defineRules(GetMusicalRequestSchema, { musicalId: musicalId(true) }),
  defineRules(ListMusicalsRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() }),
  defineRules(ReserveSeatsRequestSchema, {
    reservationId: rule.uuid(),
    musicalId: musicalId(true),
    seats: rule.int(1, 20),
    customerId: rule.text(128, printable),
  }),
  defineRules(ReleaseSeatsRequestSchema, { reservationId: rule.uuid() }),
];
