// Original file: proto/outerpark/reservation/v1/reservation.proto


export interface GetReservationRequest {
  'reservationId'?: (string);
}

export interface GetReservationRequest__Output {
  'reservationId': (string);
}
