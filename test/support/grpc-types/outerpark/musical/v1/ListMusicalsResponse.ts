// Original file: proto/outerpark/musical/v1/musical.proto

import type { Musical as _outerpark_musical_v1_Musical, Musical__Output as _outerpark_musical_v1_Musical__Output } from '../../../outerpark/musical/v1/Musical.js';

export interface ListMusicalsResponse {
  'musicals'?: (_outerpark_musical_v1_Musical)[];
  'nextPageToken'?: (string);
}

export interface ListMusicalsResponse__Output {
  'musicals': (_outerpark_musical_v1_Musical__Output)[];
  'nextPageToken': (string);
}
