// Original file: proto/outerpark/musical/v1/musical.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

export interface Musical {
  'musicalId'?: (string);
  'name'?: (string);
  'totalSeats'?: (number);
  'reservableSeats'?: (number);
  'seatPrice'?: (number | string | Long);
  'registeredAt'?: (_google_protobuf_Timestamp | null);
}

export interface Musical__Output {
  'musicalId': (string);
  'name': (string);
  'totalSeats': (number);
  'reservableSeats': (number);
  'seatPrice': (string);
  'registeredAt': (_google_protobuf_Timestamp__Output | null);
}
