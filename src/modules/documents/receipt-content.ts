import type { BillStateName, SubjectKind } from '../../db/schema.ts';
import { fenToYuan, formatFen, type Fen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import { channelLabel } from '../refunds/refund-state.ts';

/**
 * DOC-1, the electronic receipt (电子缴费凭证) of a paid bill, as data: every string the PDF
 * prints, decided here without I/O so a test can read it. receipt-pdf.ts only draws it.
 *
 * It is ExamPay's own proof of payment, like the 查看票据 page of seed 001 — not a 财政电子票据
 * (those come from the finance bureau's platform, which ExamPay does not reach).
 */
export type ReceiptStatus = 'PAID' | 'PARTLY_REFUNDED' | 'REFUNDED';

/** The bill states that have a receipt, and what the receipt says about each. */
export function receiptStatusOf(state: BillStateName): ReceiptStatus | undefined {
  switch (state) {
    case 'PAID': return 'PAID';
    case 'PARTIALLY_REFUNDED': return 'PARTLY_REFUNDED';
    case 'REFUNDED': return 'REFUNDED';
    default: return undefined;
  }
}

export interface ReceiptFacts {
  /** The exam authority that collects the fee: the receipt's issuer. */
  issuer: string;
  exam: string;
  sitting: string;
  billNo: string;
  receiptNo: string;
  /** Who paid: a candidate (masked ID number) or, for batch bills, an institution (none). */
  payer: { name: string; idNumberMasked: string | null };
  items: { subject: string; kind: SubjectKind; amountFen: Fen; refundedFen: Fen }[];
  totalFen: Fen;
  /** Money the channel has given back (refunds it confirmed), over all items. */
  refundedFen: Fen;
  channel: string;
  channelTradeNo: string;
  paidAt: Date;
  issuedAt: Date;
  status: ReceiptStatus;
  verifyUrl: string;
}

/** "120.00元" — from integer fen, never through a float. */
export const yuanText = (fen: Fen): string => `${fenToYuan(fen)}元`;

export const KIND_LABEL: Record<SubjectKind, { zh: string; en: string }> = {
  WRITTEN: { zh: '笔试', en: 'Written' },
  ORAL: { zh: '口试', en: 'Oral' },
};

const STATUS_LABEL: Record<ReceiptStatus, { zh: string; en: string }> = {
  PAID: { zh: '已缴费', en: 'Paid' },
  PARTLY_REFUNDED: { zh: '部分退费', en: 'Partly refunded' },
  REFUNDED: { zh: '已全额退费', en: 'Refunded in full' },
};

export interface ReceiptContent {
  /** The PDF's own title (its metadata): names the receipt. */
  documentTitle: string;
  title: string;
  subtitle: string;
  fields: { label: string; value: string }[];
  columns: { title: string; align: 'left' | 'right'; share: number }[];
  rows: string[][];
  total: string;
  /** Printed large across the receipt when money went back; null for a plain paid bill. */
  stamp: string | null;
  refundNote: string | null;
  verify: { url: string; lines: string[] };
  footer: string;
}

export function receiptContent(f: ReceiptFacts): ReceiptContent {
  const refunds = f.refundedFen > 0n;
  const status = STATUS_LABEL[f.status];
  const channel = channelLabel(f.channel);
  const fields = [
    { label: '开具单位 Issuer', value: f.issuer },
    { label: '考试 Exam', value: f.exam },
    { label: '考次 Sitting', value: f.sitting },
    { label: '凭证号 Receipt No.', value: f.receiptNo },
    { label: '缴费单号 Bill No.', value: f.billNo },
    { label: '缴费人 Payer', value: f.payer.name },
    ...(f.payer.idNumberMasked ? [{ label: '证件号码 ID No.', value: f.payer.idNumberMasked }] : []),
    { label: '支付渠道 Channel', value: `${channel.zh} ${channel.en}` },
    { label: '渠道交易号 Channel trade No.', value: f.channelTradeNo },
    { label: '缴费时间 Paid at', value: `${formatShanghai(f.paidAt)}（北京时间 Beijing time）` },
    { label: '状态 Status', value: `${status.zh} ${status.en}` },
  ];
  const columns = [
    { title: '序号', align: 'left' as const, share: 1 },
    { title: '科目 Subject', align: 'left' as const, share: 5 },
    { title: '类型 Kind', align: 'left' as const, share: 2 },
    { title: '金额（元） Amount', align: 'right' as const, share: 3 },
    ...(refunds ? [{ title: '已退（元） Refunded', align: 'right' as const, share: 3 }] : []),
  ];
  const rows = f.items.map((it, i) => [
    String(i + 1), it.subject, `${KIND_LABEL[it.kind].zh} ${KIND_LABEL[it.kind].en}`, fenToYuan(it.amountFen),
    ...(refunds ? [fenToYuan(it.refundedFen)] : []),
  ]);
  return {
    documentTitle: `电子缴费凭证 ${f.receiptNo}`,
    title: '电子缴费凭证',
    subtitle: 'Electronic payment receipt',
    fields,
    columns,
    rows,
    total: `合计 Total：${formatFen(f.totalFen)}（${yuanText(f.totalFen)}）`,
    stamp: f.status === 'PAID' ? null : `${status.zh} ${status.en}`,
    refundNote: refunds ? `已退回 Refunded：${formatFen(f.refundedFen)}（${yuanText(f.refundedFen)}），原路退回 to the original payment channel` : null,
    verify: {
      url: f.verifyUrl,
      lines: ['扫描二维码或打开以下网址核验本凭证的真伪与当前状态：', 'Scan the QR code or open this address to check this receipt and its current status:'],
    },
    footer: `开具时间 Issued：${formatShanghai(f.issuedAt)}（北京时间）· ExamPay`,
  };
}
