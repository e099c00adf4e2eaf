// Original file: proto/outerpark/musical/v1/musical.proto


export interface GetMusicalRequest {
  'musicalId'?: (string);
}

export interface GetMusicalRequest__Output {
  'musicalId': (string);
}
