// Original file: proto/outerpark/reservation/v1/reservation.proto


export interface CancelReservationRequest {
  'reservationId'?: (string);
}

export interface CancelReservationRequest__Output {
  'reservationId': (string);
}
