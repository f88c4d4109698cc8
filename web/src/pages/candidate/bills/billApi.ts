import { useQuery } from '@tanstack/react-query';
import { get } from '../../../api/client.ts';

/** Words the server gives in both languages (bill.views.ts). */
export interface Label { zh: string; en: string }
export type BillState = 'UNPAID' | 'PAYING' | 'PAID' | 'CLOSED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';

/** GET /api/v1/bills (one entry) — bill.views.ts BillSummary. */
export interface BillSummary {
  billNo: string;
  state: BillState;
  stateLabel: Label;
  explanation: Label;
  amountFen: number;
  channel: string | null;
  channelTradeNo: string | null;
  agreementAcceptedAt: string | null;
  createdAt: string;
  expiresAt: string;
  payingSince: string | null;
  paidAt: string | null;
  closedAt: string | null;
  flaggedForStaff: boolean;
  shownTimes: Record<string, string>;
}

export interface Refund {
  refundNo: string; channel: string; amountFen: number; reason: string; state: 'PENDING' | 'SUCCEEDED' | 'FAILED' | string;
  createdAt: string; succeededAt: string | null; registrationId: string | null; subjectName: string | null;
  channelLabel: Label; reasonLabel: Label; stateLabel: Label; explanation: Label; note: string | null;
}

/** GET /api/v1/bills/:billNo — bill.views.ts BillDetailBody. */
export interface BillDetail extends BillSummary {
  items: { registrationId: string; subjectCode: string; subjectName: string; kind: string; amountFen: number; refundedFen: number }[];
  orders: { outTradeNo: string; channel: string; state: string; payUrl: string; qrContent: string }[];
  payments: { channel: string; channelTradeNo: string; amountFen: number; paidAt: string; outcome: string }[];
  refunds: Refund[];
  history: { from: string; to: string; cause: string; at: string }[];
  channels: string[];
  /** The exam's own 缴费协议 (PAY-2), in the authority's words. */
  agreementText: string;
}

/** POST /api/v1/bills/:billNo/payments */
export interface StartedPayment { billNo: string; outTradeNo: string; channel: string; payUrl: string; qrContent: string; expiresAt: string }

export const isOpen = (s: BillState) => s === 'UNPAID' || s === 'PAYING';

/**
 * While the server may still change the bill by itself (the channel's notify, the poll job, the
 * timeout job, a refund on its way), the page asks again on its own: nobody has to sign out and
 * in again to see the result (seed 000). A final bill is not asked again.
 */
export const LIVE_POLL_MS = 2_000;
export function stillMoving(b: BillDetail | undefined): boolean {
  if (!b) return false;
  return isOpen(b.state) || b.refunds.some((r) => r.state === 'PENDING');
}

export const billKey = (billNo: string) => ['bill', billNo] as const;
export const BILLS_KEY = ['bills'] as const;

export function useBill(billNo: string) {
  return useQuery({
    queryKey: billKey(billNo),
    queryFn: () => get<BillDetail>(`/api/v1/bills/${encodeURIComponent(billNo)}`),
    refetchInterval: (q) => (stillMoving(q.state.data) ? LIVE_POLL_MS : false),
    // Keep asking while the phone's screen is in the background: the answer is waiting when they look.
    refetchIntervalInBackground: true,
  });
}

export function useBills(enabled = true) {
  return useQuery({ queryKey: BILLS_KEY, queryFn: () => get<BillSummary[]>('/api/v1/bills'), enabled });
}

/** Server words in the page's language. */
export const say = (l: Label, lang: string) => (lang.startsWith('zh') ? l.zh : l.en);
