import type { RouteObject } from 'react-router';
import { CandidatePage } from '../../../session/candidate.tsx';
import { BillList } from './BillListPage.tsx';
import { BillPage } from './BillPage.tsx';

/** The bill, payment and refund pages. */
export const billRoutes: RouteObject[] = [
  { path: '/bills', element: <CandidatePage>{() => <BillList />}</CandidatePage> },
  { path: '/bills/:billNo', element: <BillPage /> },
];
