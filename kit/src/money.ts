/**
 * An amount as customers read it, e.g. ₩150,000 (won have no minor unit). One formatter, made once:
 * `bigint.toLocaleString` builds a new Intl formatter on every call, which notices and MyPage lines paid for per event.
 */
const grouped = new Intl.NumberFormat("en-US");

export function formatWon(amount: bigint): string {
  return `₩${grouped.format(amount)}`;
}
