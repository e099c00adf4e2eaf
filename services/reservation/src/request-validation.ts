import { defineRules, rule } from "#kit/validation.js";
import {
  CancelReservationRequestSchema,
  GetReservationRequestSchema,
  ListReservationsRequestSchema,
  PlaceReservationRequestSchema,
} from "#gen/outerpark/reservation/v1/reservation_pb.js";

export const reservationRules = [
  defineRules(PlaceReservationRequestSchema, {
    musicalId: rule.text(64, { pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, patternHint: "a musical id" }),
    seats: rule.int(1, 20),
    idempotencyKey: rule.text(128, { pattern: /^[\x21-\x7e]+$/, patternHint: "printable ASCII without spaces" }),
  }),
  defineRules(CancelReservationRequestSchema, { reservationId: rule.uuid() }),
  defineRules(GetReservationRequestSchema, { reservationId: rule.uuid() }),
  defineRules(ListReservationsRequestSchema, { pageSize: rule.pageSize(), pageToken: rule.pageToken() }),
];
