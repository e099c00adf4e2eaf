// Original file: proto/outerpark/musical/v1/musical.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterMusicalRequest {
  'musicalId'?: (string);
  'name'?: (string);
  'totalSeats'?: (number);
  'seatPrice'?: (number | string | Long);
}

export interface RegisterMusicalRequest__Output {
  'musicalId': (string);
  'name': (string);
  'totalSeats': (number);
  'seatPrice': (string);
}
