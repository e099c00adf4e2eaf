// Original file: proto/outerpark/reservation/v1/reservation.proto

import type { Reservation as _outerpark_reservation_v1_Reservation, Reservation__Output as _outerpark_reservation_v1_Reservation__Output } from '../../../outerpark/reservation/v1/Reservation.js';

export interface ListReservationsResponse {
  'reservations'?: (_outerpark_reservation_v1_Reservation)[];
  'nextPageToken'?: (string);
}

export interface ListReservationsResponse__Output {
  'reservations': (_outerpark_reservation_v1_Reservation__Output)[];
  'nextPageToken': (string);
}
