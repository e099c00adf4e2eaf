// Original file: proto/outerpark/reservation/v1/reservation.proto


export interface ListReservationsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListReservationsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
