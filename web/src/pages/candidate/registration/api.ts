import { get } from '../../../api/client.ts';

/** GET /api/v1/sittings */
export interface Sitting { sittingId: string; code: string; name: string }

export interface SlotChoice { siteId: string; siteName: string; slotId: string; startsAt: string; endsAt: string; capacity: number; free: number }

export interface SubjectOption {
  subjectId: string;
  code: string;
  name: string;
  kind: string;
  feeFen: string | number;
  canRegister: boolean;
  /** The rule that says no (REG-3, REG-4, REG-5), as the server's code. */
  reason: string | null;
  relatedSubjectId: string | null;
  choices: SlotChoice[];
}

/** GET /api/v1/sittings/:id/registration-options (times already in Beijing time). */
export interface RegistrationOptions {
  sittingId: string;
  name: string;
  registrationOpen: boolean;
  windows: { kind: string; siteId: string | null; opensAt: string; closesAt: string }[];
  subjects: SubjectOption[];
}

/** GET /api/v1/registrations */
export interface Registration {
  registrationId: string;
  sittingId: string;
  sittingName: string;
  subjectCode: string;
  subjectName: string;
  kind: string;
  feeFen: string | number;
  owner: string;
  paid: boolean;
  payable: boolean;
  billNo: string | null;
  billState: string | null;
  seat: { siteId: string; siteName: string; slotId: string; startsAt: string; seatNo: number; state: string } | null;
  seatReleased: { reason: string; zh: string; en: string } | null;
  /** Why it cannot go on a bill now (the server's verdict: audit, payment window, written before oral, seat); null when it can. */
  payBlock: { code: string; messageZh: string; messageEn: string; details: Record<string, unknown> } | null;
}

/** May go on a new bill now, as the server says: unpaid, the candidate's own, on no bill, nothing blocking it. */
export const selectable = (r: Registration) => r.payable && r.payBlock === null;

/** GET /api/v1/sittings/:id/cet6-review */
export interface Review {
  reviewId: string;
  ticketNo: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED';
  statusLabel: { zh: string; en: string };
  rejectReason: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export const optionsKey = (sittingId: string) => ['registration-options', sittingId] as const;
export const REGISTRATIONS_KEY = ['registrations'] as const;
export const reviewsKey = (sittingId: string) => ['cet6-review', sittingId] as const;

export const fetchOptions = (sittingId: string) => get<RegistrationOptions>(`/api/v1/sittings/${encodeURIComponent(sittingId)}/registration-options`);
export const fetchRegistrations = () => get<Registration[]>('/api/v1/registrations');
