/**
 * Money is integer fen as bigint everywhere in ExamPay. Channels speak yuan strings with two
 * decimals ("88.88"); these two functions are the only crossing, and they never touch floats.
 */
export type Fen = bigint;

const YUAN = /^(0|[1-9]\d{0,12})\.(\d{2})$/;

/** "88.80" → 8880n. Throws on anything that is not exactly a two-decimal yuan amount. */
export function yuanToFen(yuan: string): Fen {
  const m = YUAN.exec(yuan);
  if (!m) throw new RangeError(`not a yuan amount with two decimals: ${JSON.stringify(yuan)}`);
  return BigInt(m[1]!) * 100n + BigInt(m[2]!);
}

/** 8880n → "88.80". */
export function fenToYuan(fen: Fen): string {
  if (fen < 0n) throw new RangeError('negative amount');
  const s = fen.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** For display: "¥88.80". */
export function formatFen(fen: Fen): string {
  return `¥${fenToYuan(fen)}`;
}
