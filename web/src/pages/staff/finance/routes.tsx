import type { RouteObject } from 'react-router';
import { AuditLogPage } from './AuditLogPage.tsx';
import { BillRefundPage } from './BillRefundPage.tsx';
import { CandidateBillsPage, FindPage } from './FindPage.tsx';
import { RefundsPage } from './RefundsPage.tsx';
import { StaffAccountsPage } from './StaffAccountsPage.tsx';

/** Refunds (REF-1, REF-4), the audit log (ADM-4) and staff accounts (ADM-5) in the authority console. */
export const financeRoutes: RouteObject[] = [
  { path: '/admin/refunds', element: <RefundsPage /> },
  { path: '/admin/refunds/find', element: <FindPage /> },
  { path: '/admin/refunds/candidates/:candidateId', element: <CandidateBillsPage /> },
  { path: '/admin/refunds/bills/:billNo', element: <BillRefundPage /> },
  { path: '/admin/audit', element: <AuditLogPage /> },
  { path: '/admin/staff', element: <StaffAccountsPage /> },
];
