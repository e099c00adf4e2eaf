// Original file: proto/outerpark/reservation/v1/reservation.proto


export interface PlaceReservationRequest {
  'musicalId'?: (string);
  'seats'?: (number);
  'idempotencyKey'?: (string);
}

export interface PlaceReservationRequest__Output {
  'musicalId': (string);
  'seats': (number);
  'idempotencyKey': (string);
}
