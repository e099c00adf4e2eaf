// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';

export interface HistoryEntry {
  'eventType'?: (string);
  'eventId'?: (string);
  'summary'?: (string);
  'occurredAt'?: (_google_protobuf_Timestamp | null);
}

export interface HistoryEntry__Output {
  'eventType': (string);
  'eventId': (string);
  'summary': (string);
  'occurredAt': (_google_protobuf_Timestamp__Output | null);
}
