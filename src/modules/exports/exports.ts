import type { Writable } from 'node:stream';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import type { ResourceScope } from '../accounts/authorization.ts';
import { candidateIdNumber } from '../accounts/candidate-identity.ts';
import { maskIdNumber } from '../../shared/id-document.ts';
import { sheetWriter } from './xlsx-writer.ts';

/**
 * Exports as xlsx (ADM-2, docs/imports-exports.md): registrations, bills, payments, refunds and
 * reconciliation mismatches, with the console's filters, in the caller's scope (an institution's
 * staff get their institution's only). Rows are read in keyset pages and written to the response
 * as they come (exceljs WorkbookWriter). ID numbers are always masked: an export leaves the
 * system, and none of its purposes (checking who registered and paid, finance's reconciliation
 * by bill number) needs the full number. Money is integer fen; a last row holds the totals.
 */

export const EXPORT_KINDS = ['registrations', 'bills', 'payments', 'refunds', 'reconciliation'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportFilters {
  sittingId?: bigint;
  subjectId?: bigint;
  siteId?: bigint;
  state?: string;
  /** Beijing calendar dates, both included. */
  from?: string;
  to?: string;
}

interface Range { from?: Date; to?: Date; fromDay?: string; toDay?: string }

const PAGE = 2000;
const DAY = 86_400_000;

/** The date range as instants: [from 00:00, to+1 00:00) Beijing; at most about a year. */
export function exportRange(f: Pick<ExportFilters, 'from' | 'to'>): Result<Range> {
  const from = f.from ? parseShanghai(`${f.from} 00:00:00`) : undefined;
  const to = f.to ? new Date(parseShanghai(`${f.to} 00:00:00`).getTime() + DAY) : undefined;
  if (from && to && (to <= from || to.getTime() - from.getTime() > 367 * DAY)) return fail('EXPORT_BAD_RANGE');
  return ok({ ...(from ? { from, fromDay: f.from } : {}), ...(to ? { to, toDay: f.to } : {}) });
}

const t = (d: Date | null) => (d ? formatShanghai(d) : null);
const n = (v: bigint | number | null) => (v === null ? null : Number(v));

type Row = (string | number | null)[];
interface Spec {
  sheet: string;
  headers: string[];
  /** Column indexes summed in the totals row. */
  sums: number[];
  page: (afterId: bigint) => Promise<{ id: bigint; row: Row }[]>;
}

/** Who a bill, payment or refund concerns: the paying institution, or the candidate's institution. */
const billInstitution = sql<bigint | null>`CASE WHEN b.owner = 'INSTITUTION' THEN b.institution_id ELSE c.institution_id END`;

export async function writeExport(
  db: DbOrTrx, keys: PersonalDataKeys, scope: ResourceScope, kind: ExportKind, filters: ExportFilters, range: Range, out: Writable,
): Promise<{ rows: number; totals: number[] }> {
  const spec = specOf(db, keys, scope, kind, filters, range);
  const w = sheetWriter(out, spec.sheet, spec.headers, spec.headers.map((h) => Math.max(12, Math.min(36, h.length + 2))));
  let after = 0n;
  let rows = 0;
  const totals = spec.sums.map(() => 0);
  for (;;) {
    const page = await spec.page(after);
    for (const { row } of page) {
      w.add(row);
      spec.sums.forEach((col, i) => { totals[i]! += Number(row[col] ?? 0); });
    }
    rows += page.length;
    await w.breathe();
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  const totalRow: Row = spec.headers.map(() => null);
  totalRow[0] = `合计 Total: ${rows}`;
  spec.sums.forEach((col, i) => { totalRow[col] = totals[i]!; });
  w.add(totalRow);
  await w.finish();
  return { rows, totals };
}

function specOf(db: DbOrTrx, keys: PersonalDataKeys, scope: ResourceScope, kind: ExportKind, f: ExportFilters, r: Range): Spec {
  const masked = (sealed: Buffer | null) => (sealed ? maskIdNumber(candidateIdNumber(keys, { id_number_sealed: sealed })) : null);
  const inst = (expr: Expression<bigint | null>) => (scope.institutionId === null ? sql<SqlBool>`true` : sql<SqlBool>`${expr} = ${scope.institutionId}`);
  // Every kind lives under a bill or registration of a sitting of the caller's authority.
  switch (kind) {
    case 'registrations':
      return {
        sheet: '报考 Registrations',
        headers: ['报考编号 Registration', '姓名 Name', '证件号码 ID number', '机构 Institution', '考次 Sitting', '科目 Subject', '考点 Site', '场次 Slot', '报考方式 By', '状态 State', '费用(分) Fee (fen)', '报考时间 Registered', '缴费时间 Paid'],
        sums: [10],
        page: async (after) => (await db.selectFrom('registration as r').innerJoin('candidate as c', 'c.id', 'r.candidate_id').innerJoin('subject as s', 's.id', 'r.subject_id')
          .innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
          .leftJoin('site', 'site.id', 'r.site_id').leftJoin('slot', 'slot.id', 'r.slot_id')
          .leftJoin('institution as i', (j) => j.on(sql<SqlBool>`i.id = CASE WHEN r.owner = 'INSTITUTION' THEN r.institution_id ELSE c.institution_id END`))
          .select(['r.id', 'c.name', 'c.id_number_sealed', 'i.code as institution', 'st.code as sitting', 's.code as subject', 'site.code as site', 'slot.code as slot', 'r.owner', 'r.status', 'r.paid_at', 's.fee_fen', 'r.created_at'])
          .where('e.authority_id', '=', scope.authorityId)
          .where(inst(sql<bigint | null>`CASE WHEN r.owner = 'INSTITUTION' THEN r.institution_id ELSE c.institution_id END`))
          .$if(f.sittingId !== undefined, (q) => q.where('r.sitting_id', '=', f.sittingId!))
          .$if(f.subjectId !== undefined, (q) => q.where('r.subject_id', '=', f.subjectId!))
          .$if(f.siteId !== undefined, (q) => q.where('r.site_id', '=', f.siteId!))
          .$if(f.state === 'CANCELLED', (q) => q.where('r.status', '=', 'CANCELLED'))
          .$if(f.state === 'PAID', (q) => q.where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is not', null))
          .$if(f.state === 'UNPAID', (q) => q.where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null))
          .$if(r.from !== undefined, (q) => q.where('r.created_at', '>=', r.from!))
          .$if(r.to !== undefined, (q) => q.where('r.created_at', '<', r.to!))
          .where('r.id', '>', after).orderBy('r.id').limit(PAGE).execute())
          .map((x) => ({ id: x.id, row: [String(x.id), x.name, masked(x.id_number_sealed), x.institution, x.sitting, x.subject, x.site, x.slot, x.owner, x.status === 'CANCELLED' ? 'CANCELLED' : x.paid_at ? 'PAID' : 'UNPAID', n(x.fee_fen), t(x.created_at), t(x.paid_at)] })),
      };
    case 'bills':
    case 'payments':
    case 'refunds': {
      const base = () => {
        let q = db.selectFrom('bill as b').innerJoin('sitting as st', 'st.id', 'b.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
          .leftJoin('candidate as c', 'c.id', 'b.candidate_id').leftJoin('institution as i', (j) => j.on(sql<SqlBool>`i.id = ${billInstitution}`))
          .where('e.authority_id', '=', scope.authorityId).where(inst(billInstitution));
        if (f.sittingId !== undefined) q = q.where('b.sitting_id', '=', f.sittingId);
        if (f.subjectId !== undefined) q = q.where(({ exists, selectFrom }) => exists(selectFrom('bill_item as bi').select('bi.id').whereRef('bi.bill_id', '=', 'b.id').where('bi.subject_id', '=', f.subjectId!)));
        if (f.siteId !== undefined) {
          q = q.where(({ exists, selectFrom }) => exists(selectFrom('bill_item as bi').innerJoin('registration as rg', 'rg.id', 'bi.registration_id').select('bi.id')
            .whereRef('bi.bill_id', '=', 'b.id').where('rg.site_id', '=', f.siteId!)));
        }
        return q;
      };
      if (kind === 'bills') {
        return {
          sheet: '缴费单 Bills',
          headers: ['缴费单号 Bill', '缴费方 Payer', '姓名/机构 Name', '证件号码 ID number', '机构 Institution', '考次 Sitting', '金额(分) Amount (fen)', '状态 State', '渠道 Channel', '生成时间 Created', '缴费时间 Paid', '关闭时间 Closed'],
          sums: [6],
          page: async (after) => (await base()
            .select(['b.id', 'b.bill_no', 'b.owner', 'c.name', 'c.id_number_sealed', 'i.code as institution', 'i.name as institution_name', 'st.code as sitting', 'b.amount_fen', 'b.state', 'b.channel', 'b.created_at', 'b.paid_at', 'b.closed_at'])
            .$if(f.state !== undefined, (q) => q.where('b.state', '=', f.state as never))
            .$if(r.from !== undefined, (q) => q.where('b.created_at', '>=', r.from!))
            .$if(r.to !== undefined, (q) => q.where('b.created_at', '<', r.to!))
            .where('b.id', '>', after).orderBy('b.id').limit(PAGE).execute())
            .map((x) => ({ id: x.id, row: [x.bill_no, x.owner, x.owner === 'INSTITUTION' ? x.institution_name : x.name, x.owner === 'INSTITUTION' ? null : masked(x.id_number_sealed), x.institution, x.sitting, n(x.amount_fen), x.state, x.channel, t(x.created_at), t(x.paid_at), t(x.closed_at)] })),
        };
      }
      if (kind === 'payments') {
        return {
          sheet: '支付 Payments',
          headers: ['渠道交易号 Channel trade no.', '缴费单号 Bill', '姓名/机构 Name', '证件号码 ID number', '考次 Sitting', '渠道 Channel', '金额(分) Amount (fen)', '已退(分) Refunded (fen)', '结果 Outcome', '支付时间 Paid', '记录时间 Recorded'],
          sums: [6, 7],
          page: async (after) => (await base().innerJoin('channel_payment as cp', 'cp.bill_id', 'b.id')
            .select(['cp.id', 'cp.channel_trade_no', 'b.bill_no', 'b.owner', 'c.name', 'c.id_number_sealed', 'i.name as institution_name', 'st.code as sitting', 'cp.channel', 'cp.amount_fen', 'cp.refunded_fen', 'cp.outcome', 'cp.paid_at', 'cp.recorded_at'])
            .$if(f.state !== undefined, (q) => q.where('cp.outcome', '=', f.state as never))
            .$if(r.from !== undefined, (q) => q.where('cp.paid_at', '>=', r.from!))
            .$if(r.to !== undefined, (q) => q.where('cp.paid_at', '<', r.to!))
            .where('cp.id', '>', after).orderBy('cp.id').limit(PAGE).execute())
            .map((x) => ({ id: x.id, row: [x.channel_trade_no, x.bill_no, x.owner === 'INSTITUTION' ? x.institution_name : x.name, x.owner === 'INSTITUTION' ? null : masked(x.id_number_sealed), x.sitting, x.channel, n(x.amount_fen), n(x.refunded_fen), x.outcome, t(x.paid_at), t(x.recorded_at)] })),
        };
      }
      return {
        sheet: '退费 Refunds',
        headers: ['退费单号 Refund', '缴费单号 Bill', '姓名/机构 Name', '证件号码 ID number', '考次 Sitting', '渠道 Channel', '金额(分) Amount (fen)', '原因 Reason', '状态 State', '发起人 Requested by', '创建时间 Created', '成功时间 Succeeded'],
        sums: [6],
        page: async (after) => (await base().innerJoin('refund as rf', 'rf.bill_id', 'b.id')
          .select(['rf.id', 'rf.refund_no', 'b.bill_no', 'b.owner', 'c.name', 'c.id_number_sealed', 'i.name as institution_name', 'st.code as sitting', 'rf.channel', 'rf.amount_fen', 'rf.reason', 'rf.state', 'rf.requested_by', 'rf.created_at', 'rf.succeeded_at'])
          .$if(f.state !== undefined, (q) => q.where('rf.state', '=', f.state as never))
          .$if(r.from !== undefined, (q) => q.where('rf.created_at', '>=', r.from!))
          .$if(r.to !== undefined, (q) => q.where('rf.created_at', '<', r.to!))
          .where('rf.id', '>', after).orderBy('rf.id').limit(PAGE).execute())
          .map((x) => ({ id: x.id, row: [x.refund_no, x.bill_no, x.owner === 'INSTITUTION' ? x.institution_name : x.name, x.owner === 'INSTITUTION' ? null : masked(x.id_number_sealed), x.sitting, x.channel, n(x.amount_fen), x.reason, x.state, x.requested_by, t(x.created_at), t(x.succeeded_at)] })),
      };
    }
    case 'reconciliation':
      return {
        sheet: '对账差异 Reconciliation',
        headers: ['对账日 Day', '渠道 Channel', '类型 Kind', '原因 Reason', '缴费单号 Bill', '渠道交易号 Channel trade no.', '退费单号 Refund', '我方金额(分) Ours (fen)', '渠道金额(分) Channel (fen)', '处理 Resolution', '自动退费单号 Auto refund', '处理人 Resolved by', '处理时间 Resolved', '说明 Note'],
        sums: [7, 8],
        // A mismatch is the authority's through its bill; a statement line naming no bill of ours cannot be attributed.
        page: async (after) => (await db.selectFrom('reconciliation_mismatch as m').innerJoin('bill as b', 'b.bill_no', 'm.bill_no')
          .innerJoin('sitting as st', 'st.id', 'b.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id').leftJoin('candidate as c', 'c.id', 'b.candidate_id')
          .select(['m.id', 'm.day', 'm.channel', 'm.kind', 'm.reason', 'm.bill_no', 'm.channel_trade_no', 'm.refund_no', 'm.our_amount_fen', 'm.their_amount_fen', 'm.resolution', 'm.auto_refund_no', 'm.resolved_by', 'm.resolved_at', 'm.resolved_note'])
          .where('e.authority_id', '=', scope.authorityId).where(inst(billInstitution))
          .$if(f.sittingId !== undefined, (q) => q.where('b.sitting_id', '=', f.sittingId!))
          .$if(f.state !== undefined, (q) => q.where('m.resolution', '=', f.state as never))
          .$if(r.fromDay !== undefined, (q) => q.where('m.day', '>=', r.fromDay!))
          .$if(r.toDay !== undefined, (q) => q.where('m.day', '<=', r.toDay!))
          .where('m.id', '>', after).orderBy('m.id').limit(PAGE).execute())
          .map((x) => ({ id: x.id, row: [x.day, x.channel, x.kind, x.reason, x.bill_no, x.channel_trade_no, x.refund_no, n(x.our_amount_fen), n(x.their_amount_fen), x.resolution, x.auto_refund_no, x.resolved_by, t(x.resolved_at), x.resolved_note] })),
      };
  }
}
