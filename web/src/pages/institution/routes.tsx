import type { RouteObject } from 'react-router';
import { StaffPasswordPage, StaffSignInPage } from '../staff/StaffSignInPage.tsx';

/** The institution console pages. */
export const institutionRoutes: RouteObject[] = [
  { path: '/institution/sign-in', element: <StaffSignInPage surface="institution" /> },
  { path: '/institution/password', element: <StaffPasswordPage surface="institution" /> },
];
