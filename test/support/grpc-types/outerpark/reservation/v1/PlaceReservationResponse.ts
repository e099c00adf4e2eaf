// Original file: proto/outerpark/reservation/v1/reservation.proto

import type { Reservation as _outerpark_reservation_v1_Reservation, Reservation__Output as _outerpark_reservation_v1_Reservation__Output } from '../../../outerpark/reservation/v1/Reservation.js';

export interface PlaceReservationResponse {
  'reservation'?: (_outerpark_reservation_v1_Reservation | null);
}

export interface PlaceReservationResponse__Output {
  'reservation': (_outerpark_reservation_v1_Reservation__Output | null);
}
