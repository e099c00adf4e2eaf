// Original file: proto/outerpark/musical/v1/musical.proto

import type { Musical as _outerpark_musical_v1_Musical, Musical__Output as _outerpark_musical_v1_Musical__Output } from '../../../outerpark/musical/v1/Musical.js';

export interface GetMusicalResponse {
  'musical'?: (_outerpark_musical_v1_Musical | null);
}

export interface GetMusicalResponse__Output {
  'musical': (_outerpark_musical_v1_Musical__Output | null);
}
