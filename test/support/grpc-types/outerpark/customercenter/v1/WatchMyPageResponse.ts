// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type { MyReservation as _outerpark_customercenter_v1_MyReservation, MyReservation__Output as _outerpark_customercenter_v1_MyReservation__Output } from '../../../outerpark/customercenter/v1/MyReservation.js';

export interface WatchMyPageResponse {
  'reservation'?: (_outerpark_customercenter_v1_MyReservation | null);
  'nextPageToken'?: (string);
}

export interface WatchMyPageResponse__Output {
  'reservation': (_outerpark_customercenter_v1_MyReservation__Output | null);
  'nextPageToken': (string);
}
