// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type { MyReservation as _outerpark_customercenter_v1_MyReservation, MyReservation__Output as _outerpark_customercenter_v1_MyReservation__Output } from '../../../outerpark/customercenter/v1/MyReservation.js';

export interface GetMyPageResponse {
  'customerId'?: (string);
  'reservations'?: (_outerpark_customercenter_v1_MyReservation)[];
  'nextPageToken'?: (string);
}

export interface GetMyPageResponse__Output {
  'customerId': (string);
  'reservations': (_outerpark_customercenter_v1_MyReservation__Output)[];
  'nextPageToken': (string);
}
