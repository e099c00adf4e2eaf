// Original file: proto/outerpark/musical/v1/musical.proto

import type { SeatHold as _outerpark_musical_v1_SeatHold, SeatHold__Output as _outerpark_musical_v1_SeatHold__Output } from '../../../outerpark/musical/v1/SeatHold.js';

export interface ReleaseSeatsResponse {
  'hold'?: (_outerpark_musical_v1_SeatHold | null);
}

export interface ReleaseSeatsResponse__Output {
  'hold': (_outerpark_musical_v1_SeatHold__Output | null);
}
