// Original file: proto/outerpark/musical/v1/musical.proto

import type { HoldStatus as _outerpark_musical_v1_HoldStatus, HoldStatus__Output as _outerpark_musical_v1_HoldStatus__Output } from '../../../outerpark/musical/v1/HoldStatus.js';

export interface SeatHold {
  'reservationId'?: (string);
  'musicalId'?: (string);
  'seats'?: (number);
  'status'?: (_outerpark_musical_v1_HoldStatus);
}

export interface SeatHold__Output {
  'reservationId': (string);
  'musicalId': (string);
  'seats': (number);
  'status': (_outerpark_musical_v1_HoldStatus__Output);
}
