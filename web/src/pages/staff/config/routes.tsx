import type { RouteObject } from 'react-router';
import { ExamPage } from './ExamPage.tsx';
import { ExamsPage } from './ExamsPage.tsx';
import { InstitutionsPage } from './InstitutionsPage.tsx';
import { SittingPage } from './SittingPage.tsx';

/** The configuration console (ADM-1): exams, one exam (or a new one), one sitting with its parts. */
export const configRoutes: RouteObject[] = [
  { path: '/admin/config', element: <ExamsPage /> },
  { path: '/admin/config/exams/:examId', element: <ExamPage /> },
  { path: '/admin/config/sittings/:sittingId', element: <SittingPage /> },
  { path: '/admin/config/institutions', element: <InstitutionsPage /> },
];
