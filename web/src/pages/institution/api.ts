/** Shapes of /api/v1/institution (src/http/routes/institution/*.ts). */
export interface Label { zh: string; en: string }

export interface InstitutionRegistration {
  registrationId: string;
  sittingId: string;
  sittingCode: string;
  sittingName: string;
  subjectId: string;
  subjectCode: string;
  subjectName: string;
  kind: string;
  feeFen: number;
  owner: 'CANDIDATE' | 'INSTITUTION';
  status: 'UNPAID' | 'ON_BILL' | 'PAID' | 'SEAT_RELEASED';
  statusLabel: Label;
  payableByInstitution: boolean;
  reason: { code: string; zh: string; en: string } | null;
  bill: { billNo: string; state: string; owner: string } | null;
  seat: { siteId: string; siteName: string; slotId: string; startsAt: string; seatNo: number; state: string } | null;
  seatReleased: { reason: string; zh: string; en: string } | null;
  createdAt: string;
}

export interface InstitutionCandidate {
  candidateId: string;
  name: string;
  idNumberMasked: string;
  registrations: InstitutionRegistration[];
}

export interface BatchBillSummary {
  billNo: string;
  state: string;
  stateLabel: Label;
  explanation: Label;
  amountFen: number;
  createdAt: string;
  itemCount: number;
  sittingId: string;
}

export const label = (l: Label, lang: string) => (lang.startsWith('zh') ? l.zh : l.en);
