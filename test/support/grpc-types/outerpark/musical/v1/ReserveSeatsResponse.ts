// Original file: proto/outerpark/musical/v1/musical.proto

import type { SeatHold as _outerpark_musical_v1_SeatHold, SeatHold__Output as _outerpark_musical_v1_SeatHold__Output } from '../../../outerpark/musical/v1/SeatHold.js';
import type { Long } from '@grpc/proto-loader';

export interface ReserveSeatsResponse {
  'hold'?: (_outerpark_musical_v1_SeatHold | null);
  'musicalName'?: (string);
  'seatPrice'?: (number | string | Long);
  'amount'?: (number | string | Long);
}

export interface ReserveSeatsResponse__Output {
  'hold': (_outerpark_musical_v1_SeatHold__Output | null);
  'musicalName': (string);
  'seatPrice': (string);
  'amount': (string);
}
