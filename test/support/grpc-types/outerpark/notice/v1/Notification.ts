// Original file: proto/outerpark/notice/v1/notice.proto

import type { NotificationKind as _outerpark_notice_v1_NotificationKind, NotificationKind__Output as _outerpark_notice_v1_NotificationKind__Output } from '../../../outerpark/notice/v1/NotificationKind.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';

export interface Notification {
  'notificationId'?: (string);
  'customerId'?: (string);
  'reservationId'?: (string);
  'kind'?: (_outerpark_notice_v1_NotificationKind);
  'message'?: (string);
  'channel'?: (string);
  'sentAt'?: (_google_protobuf_Timestamp | null);
}

export interface Notification__Output {
  'notificationId': (string);
  'customerId': (string);
  'reservationId': (string);
  'kind': (_outerpark_notice_v1_NotificationKind__Output);
  'message': (string);
  'channel': (string);
  'sentAt': (_google_protobuf_Timestamp__Output | null);
}
