import type { SubjectKind } from '../../db/schema.ts';
import { formatShanghai } from '../../shared/time.ts';
import { KIND_LABEL } from './receipt-content.ts';

/**
 * DOC-2, an admission ticket (准考证) as data: one per candidate, sitting and kind — the written
 * and the oral tickets are separate documents, as CET prints them (seed 002: 打印笔试准考证 /
 * 打印口试准考证). Every string is decided here; admission-ticket-pdf.ts draws it.
 */
export interface TicketFacts {
  authority: string;
  exam: string;
  sitting: string;
  kind: SubjectKind;
  ticketNo: string;
  candidate: { name: string; idNumberMasked: string };
  /** The paid registrations of this kind; site, slot and seat when the registration holds them. */
  subjects: { name: string; site: string | null; startsAt: Date | null; endsAt: Date | null; seatNo: number | null }[];
  printedAt: Date;
}

/** The exam rules line every ticket carries (the authority's own notice replaces it once it is configurable). */
export const TICKET_RULES = [
  '考生须知：凭本准考证和有效身份证件原件参加考试，缺一不可；请按规定时间到达考点，迟到15分钟以上不得入场；遵守考场纪律，服从监考人员安排。',
  'Bring this ticket and the original of your ID document; arrive on time (no entry more than 15 minutes late); follow the invigilators\' instructions.',
];

/** "2026-04-11 09:00–11:00" in Beijing time; "—" when the registration has no slot. */
export function slotText(startsAt: Date | null, endsAt: Date | null): string {
  if (!startsAt || !endsAt) return '—';
  const start = formatShanghai(startsAt);
  const end = formatShanghai(endsAt);
  // Same Beijing day: show the end as a time only.
  return start.slice(0, 10) === end.slice(0, 10) ? `${start.slice(0, 16)}–${end.slice(11, 16)}` : `${start.slice(0, 16)} – ${end.slice(0, 16)}`;
}

export interface TicketContent {
  ticketNo: string;
  documentTitle: string;
  title: string;
  subtitle: string;
  fields: { label: string; value: string }[];
  columns: { title: string; share: number }[];
  rows: string[][];
  rules: string[];
  photoBox: string;
  footer: string;
}

export function ticketContent(f: TicketFacts): TicketContent {
  const kind = KIND_LABEL[f.kind];
  return {
    ticketNo: f.ticketNo,
    documentTitle: `准考证（${kind.zh}）${f.ticketNo}`,
    title: `${f.exam} 准考证（${kind.zh}）`,
    subtitle: `Admission ticket (${kind.en.toLowerCase()})`,
    fields: [
      { label: '准考证号 Ticket No.', value: f.ticketNo },
      { label: '姓名 Name', value: f.candidate.name },
      { label: '证件号码 ID No.', value: f.candidate.idNumberMasked },
      { label: '考次 Sitting', value: f.sitting },
      { label: '考试机构 Authority', value: f.authority },
    ],
    columns: [
      { title: '科目 Subject', share: 4 },
      { title: '考点 Site', share: 4 },
      { title: '考试时间 Time (Beijing)', share: 4 },
      { title: '座位号 Seat', share: 2 },
    ],
    rows: f.subjects.map((s) => [s.name, s.site ?? '以考点通知为准 see notice', slotText(s.startsAt, s.endsAt), s.seatNo === null ? '—' : String(s.seatNo)]),
    rules: TICKET_RULES,
    photoBox: '照片\nPhoto',
    footer: `打印时间 Printed：${formatShanghai(f.printedAt)}（北京时间）· ExamPay`,
  };
}
