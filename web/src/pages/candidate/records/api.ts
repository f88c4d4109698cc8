import { useQuery } from '@tanstack/react-query';
import { get } from '../../../api/client.ts';

export type Standing = 'ELIGIBLE' | 'PASSED' | 'EXEMPT';
export type AppealState = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN';
export type Bilingual = { zh: string; en: string };

/** GET /api/v1/me/student-record */
export interface StudentRecord {
  candidate: { name: string; idType: string; idNumberMasked: string; login: string; examName: string; institution: { name: string; kind: string } | null };
  sittings: {
    sittingId: string; code: string; name: string; examName: string; rosterRestricted: boolean; cancelled: boolean;
    subjects: {
      subjectId: string; code: string; name: string; kind: string; cancelled: boolean; standing: Standing | null; onRoster: boolean;
      registered: boolean; registeredBy: string | null; paid: boolean; appealPending: boolean;
    }[];
  }[];
}

/** GET /api/v1/appeals */
export interface MyAppeal {
  appealId: string;
  kind: 'LINK' | 'SUBJECT';
  state: AppealState;
  stateLabel: Bilingual;
  subject: { subjectId: string; code: string; name: string; sittingId: string; sittingName: string } | null;
  registrationId: string | null;
  institutionName: string | null;
  statement: string;
  rejectReason: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export const RECORD_KEY = ['student-record'] as const;
export const APPEALS_KEY = ['my-appeals'] as const;

export const useStudentRecord = () => useQuery({ queryKey: RECORD_KEY, queryFn: () => get<StudentRecord>('/api/v1/me/student-record') });
export const useMyAppeals = () => useQuery({ queryKey: APPEALS_KEY, queryFn: () => get<MyAppeal[]>('/api/v1/appeals') });

export const say = (b: Bilingual, lang: string) => (lang.startsWith('zh') ? b.zh : b.en);
