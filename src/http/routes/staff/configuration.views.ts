import { Type } from 'typebox';
import type { Exam } from '../../../db/schema.ts';
import { Code, ExamSettings, SubjectConfig } from '../../../modules/exams/exam-configuration.schema.ts';
import { examSettingsOf } from '../../../modules/exams/exam-rows.ts';
import type { SittingRead } from '../../../modules/exams/sitting-config.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { IdString, NullableTimestamp, Timestamp } from '../../schemas.ts';

/**
 * The configuration console's shapes (ADM-1). Bodies are the data file's own pieces
 * (exam-configuration.schema.ts), so the console and the file accept the same things; the one
 * difference is money: a fee travels as a string of integer fen ("7000" = ¥70.00), as the API
 * writes amounts that must never pass through a float.
 */

export const FenString = Type.String({ pattern: '^(0|[1-9]\\d{0,8})$', description: 'Integer fen as a string ("7000" = ¥70.00); 0 … 100000000' });
/** A subject as the console sends it: SubjectConfig with the fee as a string. */
export const SubjectBody = Type.Object({ ...SubjectConfig.properties, feeFen: FenString }, { additionalProperties: false });
export const SittingBody = Type.Object({ code: Code, name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
/** A learning centre or school as a data file's `institutions` holds it (seeds 000, 002). */
export const InstitutionBody = Type.Object({
  code: Code, name: Type.String({ minLength: 1, maxLength: 200 }), kind: Type.Union([Type.Literal('LEARNING_CENTRE'), Type.Literal('SCHOOL')]),
}, { additionalProperties: false });
export const InstitutionView = Type.Object({ institutionId: IdString, code: Type.String(), name: Type.String(), kind: Type.String() });
const Shown = Type.String({ description: 'Beijing time, yyyy-MM-dd HH:mm:ss (the data file\'s form)' });

export const SittingSummary = Type.Object({ sittingId: IdString, code: Type.String(), name: Type.String(), cancelledAt: NullableTimestamp });
export const ExamView = Type.Object({ examId: IdString, settings: ExamSettings, sittings: Type.Array(SittingSummary) });
export const WindowView = Type.Object({
  windowId: IdString, kind: Type.String(), site: Type.Union([Type.String(), Type.Null()]), siteId: Type.Union([IdString, Type.Null()]),
  opens: Shown, closes: Shown, opensAt: Timestamp, closesAt: Timestamp,
});
export const SubjectView = Type.Object({
  subjectId: IdString, code: Type.String(), name: Type.String(), kind: Type.String(), feeFen: FenString,
  writtenSubject: Type.Union([Type.String(), Type.Null()]), exclusionGroup: Type.Union([Type.String(), Type.Null()]), requiresReview: Type.Boolean(),
  cancelledAt: NullableTimestamp,
  registrations: Type.Integer({ description: 'Registrations of this subject, any status: while there are any it cannot be deleted' }),
  feeLocked: Type.Boolean({ description: 'A candidate has it on an open or paid bill, or paid it: the fee cannot change' }),
});
export const SiteView = Type.Object({ siteId: IdString, code: Type.String(), name: Type.String() });
export const SlotView = Type.Object({ slotId: IdString, code: Type.String(), starts: Shown, ends: Shown, startsAt: Timestamp, endsAt: Timestamp });
export const CapacityView = Type.Object({
  poolId: IdString, site: Type.String(), slot: Type.String(), subject: Type.String(),
  siteId: IdString, slotId: IdString, subjectId: IdString,
  seats: Type.Integer(), held: Type.Integer(), sold: Type.Integer(), free: Type.Integer(),
});
export const SittingView = Type.Object({
  sittingId: IdString, examId: IdString, examCode: Type.String(), code: Type.String(), name: Type.String(), cancelledAt: NullableTimestamp,
  windows: Type.Array(WindowView), subjects: Type.Array(SubjectView), sites: Type.Array(SiteView), slots: Type.Array(SlotView), capacity: Type.Array(CapacityView),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function examView(e: { exam: Exam; sittings: { id: bigint; code: string; name: string; cancelled_at: Date | null }[] }) {
  return {
    examId: String(e.exam.id), settings: examSettingsOf(e.exam),
    sittings: e.sittings.map((s) => ({ sittingId: String(s.id), code: s.code, name: s.name, cancelledAt: iso(s.cancelled_at) })),
  };
}

export function sittingView(r: SittingRead) {
  return {
    sittingId: String(r.sitting.id), examId: String(r.exam.id), examCode: r.exam.code, code: r.sitting.code, name: r.sitting.name, cancelledAt: iso(r.sitting.cancelled_at),
    windows: r.windows.map((w) => ({
      windowId: String(w.id), kind: w.kind, site: w.site_code, siteId: w.site_id === null ? null : String(w.site_id),
      opens: formatShanghai(w.opens_at), closes: formatShanghai(w.closes_at), opensAt: w.opens_at.toISOString(), closesAt: w.closes_at.toISOString(),
    })),
    subjects: r.subjects.map((s) => ({
      subjectId: String(s.id), code: s.code, name: s.name, kind: s.kind, feeFen: String(s.fee_fen), writtenSubject: s.written_code, exclusionGroup: s.exclusion_group,
      requiresReview: s.requires_review, cancelledAt: iso(s.cancelled_at), registrations: s.registrations, feeLocked: s.fee_locked,
    })),
    sites: r.sites.map((s) => ({ siteId: String(s.id), code: s.code, name: s.name })),
    slots: r.slots.map((s) => ({ slotId: String(s.id), code: s.code, starts: formatShanghai(s.starts_at), ends: formatShanghai(s.ends_at), startsAt: s.starts_at.toISOString(), endsAt: s.ends_at.toISOString() })),
    capacity: r.pools.map((p) => ({
      poolId: String(p.id), site: p.site_code, slot: p.slot_code, subject: p.subject_code, siteId: String(p.site_id), slotId: String(p.slot_id), subjectId: String(p.subject_id),
      seats: p.capacity, held: p.held, sold: p.sold, free: p.capacity - p.held - p.sold,
    })),
  };
}
