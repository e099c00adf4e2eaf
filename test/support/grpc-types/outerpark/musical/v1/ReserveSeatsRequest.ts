// Original file: proto/outerpark/musical/v1/musical.proto


export interface ReserveSeatsRequest {
  'reservationId'?: (string);
  'musicalId'?: (string);
  'seats'?: (number);
  'customerId'?: (string);
}

export interface ReserveSeatsRequest__Output {
  'reservationId': (string);
  'musicalId': (string);
  'seats': (number);
  'customerId': (string);
}
