import { describe, expect, it } from "vitest";
import { attemptFor, reconnectDelayMs } from "./attempt.js";

describe("attemptFor", () => {
  let n = 0;
  const newKey = () => `key-${++n}`;

  it("keeps the key for a repeated click or a retry of the same choice", () => {
    const first = attemptFor(undefined, "cats", 2, newKey);
    expect(attemptFor(first, "cats", 2, newKey)).toBe(first);
  });

  it("starts a new attempt when the choice changes or the last one finished", () => {
    const first = attemptFor(undefined, "cats", 2, newKey);
    expect(attemptFor(first, "cats", 3, newKey).key).not.toBe(first.key);
    expect(attemptFor(first, "wicked", 2, newKey).key).not.toBe(first.key);
    expect(attemptFor(undefined, "cats", 2, newKey).key).not.toBe(first.key);
  });

  it("makes random UUIDs by default", () => {
    const a = attemptFor(undefined, "cats", 1).key;
    const b = attemptFor(undefined, "cats", 1).key;
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

describe("reconnectDelayMs", () => {
  it("backs off from half a second to at most eight", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
