// Original file: proto/outerpark/musical/v1/musical.proto


export interface ReleaseSeatsRequest {
  'reservationId'?: (string);
}

export interface ReleaseSeatsRequest__Output {
  'reservationId': (string);
}
