import type { RouteObject } from 'react-router';
import { CandidatePage } from '../../../session/candidate.tsx';
import { MyAppealsPage } from './MyAppealsPage.tsx';
import { RecordsPage } from './RecordsPage.tsx';
import { LinkAppealPage } from './LinkAppealPage.tsx';

/** The student record (学籍与报考资格) and the candidate's appeals. */
export const recordRoutes: RouteObject[] = [
  { path: '/records', element: <CandidatePage>{() => <RecordsPage />}</CandidatePage> },
  { path: '/appeals', element: <CandidatePage>{() => <MyAppealsPage />}</CandidatePage> },
  // 关联申诉: the filer cannot sign in to the record, so no CandidatePage frame.
  { path: '/link-appeal', element: <LinkAppealPage /> },
];
