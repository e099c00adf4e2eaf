import { describe, expect, it } from "vitest";
import { formatWon } from "./money.js";

describe("formatWon", () => {
  it("groups thousands with commas, as toLocaleString('en-US') did", () => {
    expect(formatWon(0n)).toBe("₩0");
    expect(formatWon(999n)).toBe("₩999");
    expect(formatWon(150_000n)).toBe("₩150,000");
    expect(formatWon(12_345_678_901_234_567_890n)).toBe(`₩${12_345_678_901_234_567_890n.toLocaleString("en-US")}`);
  });
});
