import type { RouteObject } from 'react-router';
import { AdminHomePage } from './AdminHomePage.tsx';
import { StaffPasswordPage, StaffSignInPage } from './StaffSignInPage.tsx';

/** The authority console pages. */
export const staffRoutes: RouteObject[] = [
  { path: '/admin/sign-in', element: <StaffSignInPage surface="admin" /> },
  { path: '/admin/password', element: <StaffPasswordPage surface="admin" /> },
  { path: '/admin', element: <AdminHomePage /> },
];
