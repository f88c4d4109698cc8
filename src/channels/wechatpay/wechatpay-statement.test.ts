import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../shared/clock.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';

/** The trade bill (wechatpay-bill.ts) as statement lines for reconciliation. */
let rig: WechatpayRig;
beforeEach(async () => { rig = await startWechatpayRig(); });
afterEach(async () => { await rig.close(); });

describe('WeChat Pay downloadStatement', () => {
  it('SUCCESS rows are payments (订单金额), REFUND rows refunds (退款金额, 商户退款单号); creating → NOT_READY; no trades → empty', async () => {
    const a = await rig.create();
    const paid = await rig.sbx.control.pay(a.billNo);
    const tx = paid.ok ? paid.captures[0]!.captureNo : '';
    rig.clock.advance(HOUR);
    expect((await rig.adapter.refund({ billNo: a.billNo, refundNo: `${a.billNo}R01`, channelTradeNo: tx, amountFen: 2_500n, reason: '' })).status).toBe('SUCCEEDED');

    rig.clock.set('2026-03-16T01:59:59Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T02:00:00Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-14' })).toEqual({ status: 'READY', lines: [] });
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({
      status: 'READY',
      lines: [
        { kind: 'PAYMENT', billNo: a.billNo, channelTradeNo: tx, amountFen: 10_000n, at: new Date('2026-03-15T01:00:00Z') },
        { kind: 'REFUND', billNo: a.billNo, channelTradeNo: tx, refundNo: `${a.billNo}R01`, amountFen: 2_500n, at: new Date('2026-03-15T02:00:00Z') },
      ],
    });
    // Older than WeChat Pay keeps bills: no answer to act on.
    expect(await rig.adapter.downloadStatement({ date: '2025-11-01' })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('PARAM_ERROR') });
  });
});
