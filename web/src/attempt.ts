/**
 * One reservation attempt: what the customer asked for and the idempotency
 * key that names it. The key is made once per attempt, so a double click or a
 * retry after a lost answer sends the same key and can never book twice; a
 * changed choice, or a finished booking, starts a new attempt.
 */
export interface Attempt {
  readonly key: string;
  readonly musicalId: string;
  readonly seats: number;
}

export function attemptFor(
  current: Attempt | undefined,
  musicalId: string,
  seats: number,
  newKey: () => string = () => crypto.randomUUID(),
): Attempt {
  if (current && current.musicalId === musicalId && current.seats === seats) return current;
  return { key: newKey(), musicalId, seats };
}

/** Wait before reconnecting a dropped stream: 0.5 s doubling to 8 s, so a restarting service is not hammered. */
export function reconnectDelayMs(failuresInARow: number): number {
  return Math.min(8_000, 500 * 2 ** Math.max(0, failuresInARow - 1));
}
