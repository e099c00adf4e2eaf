// Original file: proto/outerpark/musical/v1/musical.proto

export const HoldStatus = {
  HOLD_STATUS_UNSPECIFIED: 'HOLD_STATUS_UNSPECIFIED',
  HOLD_STATUS_HELD: 'HOLD_STATUS_HELD',
  HOLD_STATUS_RELEASED: 'HOLD_STATUS_RELEASED',
} as const;

export type HoldStatus =
  | 'HOLD_STATUS_UNSPECIFIED'
  | 0
  | 'HOLD_STATUS_HELD'
  | 1
  | 'HOLD_STATUS_RELEASED'
  | 2

export type HoldStatus__Output = typeof HoldStatus[keyof typeof HoldStatus]
