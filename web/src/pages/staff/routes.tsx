import type { RouteObject } from 'react-router';
import { AdminHomePage } from './AdminHomePage.tsx';
import { configRoutes } from './config/routes.tsx';
import { financeRoutes } from './finance/routes.tsx';
import { importExportRoutes } from './imports/routes.tsx';
import { MismatchesPage } from './MismatchesPage.tsx';
import { ADMIN_NAV } from './nav.ts';
import { PayingBillsPage } from './PayingBillsPage.tsx';
import { ReviewsPage } from './ReviewsPage.tsx';
import { AppealsPage } from './AppealsPage.tsx';
import { StaffPasswordPage, StaffSignInPage } from './StaffSignInPage.tsx';

/** The authority console pages. */
export const staffRoutes: RouteObject[] = [
  { path: '/admin/sign-in', element: <StaffSignInPage surface="admin" /> },
  { path: '/admin/password', element: <StaffPasswordPage surface="admin" /> },
  { path: '/admin', element: <AdminHomePage /> },
  { path: '/admin/reviews', element: <ReviewsPage surface="admin" nav={ADMIN_NAV} /> },
  { path: '/admin/dashboard', element: <AdminHomePage /> },
  { path: '/admin/paying-bills', element: <PayingBillsPage /> },
  { path: '/admin/mismatches', element: <MismatchesPage /> },
  { path: '/admin/appeals', element: <AppealsPage surface="admin" nav={ADMIN_NAV} /> },
  ...configRoutes,
  ...financeRoutes,
  ...importExportRoutes,
];
