import { zipSync } from 'fflate';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintUnionpaySandboxPki } from '../../sandbox/unionpay/unionpay-pki.ts';
import { HOUR } from '../../shared/clock.ts';
import { parseZmLine, unionpayStatementLines, ZM, ZM_WIDTHS, zmFileOf } from './unionpay-statement.ts';
import { startUnionpayRig, type UnionpayRig } from './unionpay.test-kit.ts';

/**
 * UnionPay's settlement file: a signed file-transfer request (txnType 76) → fileContent =
 * base64(zlib(zip)) → the ZM file, fixed width per the official SDK's parseZMFile widths.
 */
describe('a ZM file written by hand', () => {
  /** Field n (1-based) padded to its width; one space between fields. */
  const line = (fields: Record<number, string>): string =>
    ZM_WIDTHS.map((w, i) => (fields[i + 1] ?? '').padEnd(w, ' ')).join(' ');
  const consume = line({
    1: 'S22', 4: '000123', 5: '0315090003', 6: '6217****1234', 7: '000000008000', 10: '202603150000000000123', 12: '202603150900001',
    16: 'D000000000048', 17: 'C000000007952', 20: '01', 21: '01', 22: '000201', 28: '777290058110048',
  });
  const refund = line({
    1: 'S30', 4: '000124', 5: '0315235959', 7: '000000008000', 10: '202603159000000000001', 12: '202603150900001R01',
    20: '04', 21: '00', 22: '000201', 27: '202603150000000000123', 28: '777290058110048',
  });

  it('is cut on bytes: the orderId is at byte 112, origQryId at 271, as public parsers read it', () => {
    expect(consume.length).toBe(ZM_WIDTHS.reduce((s, w) => s + w, 0) + ZM_WIDTHS.length - 1);
    expect(consume.slice(112, 112 + 15)).toBe('202603150900001');
    expect(refund.slice(271, 271 + 21)).toBe('202603150000000000123');
    const f = parseZmLine(Buffer.from(consume));
    expect([f[ZM.txnAmt], f[ZM.queryId], f[ZM.orderId], f[ZM.merFee], f[ZM.txnType]]).toEqual(['000000008000', '202603150000000000123', '202603150900001', 'D000000000048', '01']);
  });

  it('consumes become payments, refunds (04) refunds naming the consume; CRLF lines; amounts in fen; the year from the settlement day', () => {
    const file = Buffer.from(`${consume}\r\n${refund}\r\n`);
    expect(unionpayStatementLines(file, new Date('2026-03-14T16:00:00Z'))).toEqual([
      { kind: 'PAYMENT', billNo: '202603150900001', channelTradeNo: '202603150000000000123', amountFen: 8000n, at: new Date('2026-03-15T01:00:03Z') },
      { kind: 'REFUND', billNo: '', channelTradeNo: '202603150000000000123', refundNo: '202603150900001R01', amountFen: 8000n, at: new Date('2026-03-15T15:59:59Z') },
    ]);
    // Across New Year: a transmission on 31 December settles on 1 January.
    const nye = Buffer.from(line({ 5: '1231235000', 7: '000000000001', 10: 'Q', 12: 'O', 20: '01' }));
    expect(unionpayStatementLines(nye, new Date('2026-12-31T16:00:00Z'))[0]!.at).toEqual(new Date('2026-12-31T15:50:00Z'));
    expect(() => unionpayStatementLines(Buffer.from(line({ 5: '0315090003', 7: '80.00', 20: '01' })), new Date())).toThrow(/交易金额/);
  });

  it('finds ZM (not ZME) in the deflated, base64 zip', () => {
    const content = deflateSync(zipSync({ INN26031588ZME_777290058110048: Buffer.alloc(0), INN26031588ZM_777290058110048: Buffer.from(consume) })).toString('base64');
    expect(zmFileOf(content)?.toString()).toBe(consume);
    expect(zmFileOf(deflateSync(zipSync({ readme: Buffer.from('x') })).toString('base64'))).toBeNull();
  });
});

describe('downloading from the sandbox', () => {
  let rig: UnionpayRig;
  beforeEach(async () => { rig = await startUnionpayRig(); });
  afterEach(async () => { await rig.close(); });

  it('the file of 15 March: 98 (not ready) before 09:00 on the 16th; then consumes and refunds, signed and verified', async () => {
    const { billNo, payUrl } = await rig.create();
    await rig.payAtCashier(await rig.open(payUrl));
    const q = await rig.adapter.queryPayment({ billNo });
    if (q.status !== 'PAID') throw new Error(q.status);
    rig.clock.advance(HOUR);
    expect((await rig.adapter.refund({ billNo, refundNo: `${billNo}R01`, channelTradeNo: q.channelTradeNo, amountFen: 3_000n, reason: '' })).status).toBe('SUCCEEDED');

    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T00:59:59Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T01:00:00Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-14' })).toEqual({ status: 'READY', lines: [] });
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({
      status: 'READY',
      lines: [
        { kind: 'PAYMENT', billNo, channelTradeNo: q.channelTradeNo, amountFen: 10_000n, at: q.paidAt },
        { kind: 'REFUND', billNo, channelTradeNo: q.channelTradeNo, refundNo: `${billNo}R01`, amountFen: 3_000n, at: new Date('2026-03-15T02:00:00Z') },
      ],
    });
    // A day a year back cannot be named by MMDD.
    rig.clock.set('2027-03-16T01:00:00Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringMatching(/too old/) });
  });

  it('an answer that does not verify is not believed', async () => {
    rig.clock.set('2026-03-16T02:00:00Z');
    // The adapter trusts another UnionPay (a different root): the sandbox's signature cannot chain to it.
    const other = mintUnionpaySandboxPki(rig.clock.now());
    const bad = rig.adapterWith({ rootCertPem: other.root.certPem, middleCertPem: other.middle.certPem });
    expect(await bad.downloadStatement({ date: '2026-03-15' })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringMatching(/not verified/) });
  });
});
