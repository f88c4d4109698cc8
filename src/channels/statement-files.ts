import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import type { Fen } from '../shared/money.ts';

/**
 * What the channels' statement files have in common (statements.md): zip archives, GBK text
 * (Alipay, UnionPay), yuan amounts with a sign. Amounts never go through floats.
 */

/** "88.80", "-0.01", "+1.00" → fen. Statement refund rows carry a minus sign (Alipay). */
export function signedYuanToFen(text: string): Fen {
  const m = /^([+-])?(\d{1,13})\.(\d{2})$/.exec(text.trim());
  if (!m) throw new RangeError(`not a yuan amount: ${JSON.stringify(text)}`);
  const fen = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] === '-' ? -fen : fen;
}

/**
 * The files in a zip archive. Names are decoded as the zip says (UTF-8 flag) or else as Latin-1:
 * Alipay writes GBK names without the flag, so callers recognise its files by content.
 */
export function unzipFiles(bytes: Uint8Array): Array<{ name: string; data: Buffer }> {
  return Object.entries(unzipSync(bytes)).map(([name, data]) => ({ name, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }));
}

export function decodeGbk(bytes: Buffer): string {
  return iconv.decode(bytes, 'gbk');
}

export function encodeGbk(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}
