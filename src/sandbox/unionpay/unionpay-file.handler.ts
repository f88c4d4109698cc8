import { deflateSync } from 'node:zlib';
import { encodeGbk } from '../../channels/statement-files.ts';
import { toAcpTime, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import { ZM, ZM_WIDTHS } from '../../channels/unionpay/unionpay-statement.ts';
import { addDays, atBeijing, beijingDayOf } from '../../shared/beijing-day.ts';
import type { Fen } from '../../shared/money.ts';
import { writeZip } from '../zip-writer.ts';
import { txnTimeError } from './unionpay-auth.ts';
import { queryIdOf, type UnionpayContext, type UnionpayMerchant } from './unionpay-context.ts';

/**
 * The file-transfer service (对账文件下载, txnType 76, fileType 00, unionpay.md §8), made from the
 * sandbox's own books: for settleDate MMDD, a zip `<merId>_<yyyyMMdd>.zip` holding
 * `INN<yyMMdd>88ZM_<merId>` (consumes and refunds, fixed width, GBK, CRLF) and an empty
 * `INN<yyMMdd>88ZME_<merId>`, deflated (zlib) and base64'd into the signed answer's `fileContent`.
 * The settlement day is the Beijing calendar day here (UnionPay's cut-off is not modelled, as
 * in the notifications' settleDate). The file of day D exists from 09:00 on D+1; before, respCode
 * 98 "文件不存在" (the code is the sandbox's choice: the real one was not found in the sources).
 * Unconfirmed details, marked so: the 交易代码 values (S22 consume, S30 refund) and the sign
 * letters of 商户手续费 / 结算金额 (D = debit to the merchant, C = credit).
 */
const READY_HOUR = 9;
/** 0.6 %, rounded to the fen, given back pro rata on refunds (as the WeChat sandbox charges). */
const fee = (fen: Fen): Fen => (fen * 6n + 500n) / 1000n;
const digits = (n: Fen, width: number): string => n.toString().padStart(width, '0');
const traceTime = (d: Date): string => toAcpTime(d).slice(4, 14);

/** One ZM line: each field padded to its byte width, one space between fields. */
export function zmLine(values: Partial<Record<number, string>>): Buffer {
  const parts = ZM_WIDTHS.map((width, i) => {
    const bytes = encodeGbk(values[i + 1] ?? '');
    if (bytes.length > width) throw new Error(`ZM field ${i + 1} wider than ${width}: ${values[i + 1]}`);
    return Buffer.concat([bytes, Buffer.alloc(width - bytes.length, 0x20)]);
  });
  const sep = Buffer.from(' ');
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [sep, p])));
}

function zmFile(ctx: UnionpayContext, merchant: UnionpayMerchant, day: string): Buffer {
  const lines: Array<{ at: Date; line: Buffer }> = [];
  const common = { [ZM.merId]: merchant.merId, 2: '00049992900', 3: '00049992900', 8: '8299', 9: '07', 13: '01', 18: '0001', 22: '000201', 23: '01' };
  for (const order of ctx.core.book.all()) {
    if (order.channel !== 'unionpay' || order.merchantId !== merchant.merId) continue;
    for (const c of order.captures) {
      if (beijingDayOf(c.capturedAt) !== day) continue;
      const queryId = queryIdOf(c.captureNo);
      const f = fee(c.amountFen);
      lines.push({
        at: c.capturedAt,
        line: zmLine({
          ...common, [ZM.tradeCode]: 'S22', [ZM.traceNo]: queryId.slice(-6), [ZM.transmitTime]: traceTime(c.capturedAt),
          [ZM.account]: `6217****${c.buyerId.slice(-4)}`, [ZM.txnAmt]: digits(c.amountFen, 12), [ZM.queryId]: queryId, 11: '01',
          [ZM.orderId]: order.billNo, [ZM.merFee]: `D${digits(f, 12)}`, [ZM.settleAmt]: `C${digits(c.amountFen - f, 12)}`,
          [ZM.txnType]: '01', [ZM.txnSubType]: '01', [ZM.settleNet]: `C${digits(c.amountFen - f, 12)}`,
          [ZM.reqReserved]: (order.extra.reqReserved ?? '').slice(0, 32),
        }),
      });
    }
  }
  for (const r of ctx.refunds.values()) {
    if (r.merId !== merchant.merId || beijingDayOf(r.at) !== day) continue;
    const capture = ctx.core.book.find('unionpay', r.merId, r.billNo)?.captures.find((c) => c.captureNo === r.captureNo);
    const f = fee(r.amountFen);
    lines.push({
      at: r.at,
      line: zmLine({
        ...common, [ZM.tradeCode]: 'S30', [ZM.traceNo]: r.queryId.slice(-6), [ZM.transmitTime]: traceTime(r.at),
        [ZM.txnAmt]: digits(r.amountFen, 12), [ZM.queryId]: r.queryId, [ZM.orderId]: r.orderId,
        [ZM.origTraceNo]: r.origQryId.slice(-6), [ZM.origTransmitTime]: capture ? traceTime(capture.capturedAt) : '',
        [ZM.merFee]: `C${digits(f, 12)}`, [ZM.settleAmt]: `D${digits(r.amountFen - f, 12)}`, [ZM.txnType]: '04', [ZM.txnSubType]: '00',
        [ZM.origQryId]: r.origQryId, [ZM.settleNet]: `D${digits(r.amountFen - f, 12)}`, [ZM.reqReserved]: (r.reqReserved ?? '').slice(0, 32),
        [ZM.origOrderId]: r.billNo,
      }),
    });
  }
  lines.sort((a, b) => a.at.getTime() - b.at.getTime());
  return Buffer.concat(lines.flatMap((l) => [l.line, Buffer.from('\r\n')]));
}

/** The day named by MMDD: the latest such date that is not after today (Beijing). */
function dayOfSettleDate(mmdd: string, now: Date): string | null {
  const today = beijingDayOf(now);
  for (const year of [Number(today.slice(0, 4)), Number(today.slice(0, 4)) - 1]) {
    const day = `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`;
    const d = new Date(`${day}T00:00:00+08:00`);
    if (!Number.isNaN(d.getTime()) && beijingDayOf(d) === day && day <= today) return day;
  }
  return null;
}

export function fileTransfer(ctx: UnionpayContext, merchant: UnionpayMerchant, p: AcpFields): AcpFields {
  const answer = (respCode: string, respMsg: string, fields: AcpFields = {}): AcpFields => ({
    txnType: p.txnType ?? '', txnSubType: p.txnSubType ?? '', bizType: p.bizType ?? '', accessType: p.accessType ?? '',
    merId: merchant.merId, settleDate: p.settleDate ?? '', txnTime: p.txnTime ?? '', fileType: p.fileType ?? '', ...fields, respCode, respMsg,
  });
  if (p.txnType !== '76' || p.txnSubType !== '01' || p.bizType !== '000000') {
    return answer('10', `报文格式错误 file transfer takes txnType 76 / txnSubType 01 / bizType 000000`);
  }
  if (p.fileType !== '00') return answer('10', `报文格式错误 fileType ${p.fileType ?? '(none)'}: the sandbox has 00 only`);
  const now = ctx.core.clock.now();
  const timeError = txnTimeError(p.txnTime, now);
  if (timeError) return answer(timeError.respCode, timeError.respMsg);
  const day = /^\d{4}$/.test(p.settleDate ?? '') ? dayOfSettleDate(p.settleDate!, now) : null;
  if (!day) return answer('10', `报文格式错误 settleDate must be MMDD: ${p.settleDate ?? '(none)'}`);
  if (now < atBeijing(addDays(day, 1), READY_HOUR)) return answer('98', '文件不存在 the file of that day is not made yet');
  const compact = day.replaceAll('-', '');
  const inn = `INN${compact.slice(2)}88`;
  const zip = writeZip([
    { name: Buffer.from(`${inn}ZM_${merchant.merId}`), data: zmFile(ctx, merchant, day), modifiedAt: now },
    { name: Buffer.from(`${inn}ZME_${merchant.merId}`), data: Buffer.alloc(0), modifiedAt: now },
  ]);
  return answer('00', '成功[0000000]', { fileName: `${merchant.merId}_${compact}.zip`, fileContent: deflateSync(zip).toString('base64') });
}
