// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type { NotificationKind as _outerpark_notice_v1_NotificationKind, NotificationKind__Output as _outerpark_notice_v1_NotificationKind__Output } from '../../../outerpark/notice/v1/NotificationKind.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';

export interface MyNotification {
  'notificationId'?: (string);
  'kind'?: (_outerpark_notice_v1_NotificationKind);
  'message'?: (string);
  'sentAt'?: (_google_protobuf_Timestamp | null);
}

export interface MyNotification__Output {
  'notificationId': (string);
  'kind': (_outerpark_notice_v1_NotificationKind__Output);
  'message': (string);
  'sentAt': (_google_protobuf_Timestamp__Output | null);
}
