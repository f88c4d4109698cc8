import type { RouteObject } from 'react-router';
import { StaffPasswordPage, StaffSignInPage } from '../staff/StaffSignInPage.tsx';
import { BillsPage } from './BillsPage.tsx';
import { CandidatesPage } from './CandidatesPage.tsx';
import { ReviewsPage } from '../staff/ReviewsPage.tsx';
import { AppealsPage } from '../staff/AppealsPage.tsx';
import { INSTITUTION_NAV } from './nav.ts';

/** The institution console pages. */
export const institutionRoutes: RouteObject[] = [
  { path: '/institution/sign-in', element: <StaffSignInPage surface="institution" /> },
  { path: '/institution/password', element: <StaffPasswordPage surface="institution" /> },
  { path: '/institution', element: <CandidatesPage /> },
  { path: '/institution/bills', element: <BillsPage /> },
  { path: '/institution/reviews', element: <ReviewsPage surface="institution" nav={INSTITUTION_NAV} /> },
  { path: '/institution/appeals', element: <AppealsPage surface="institution" nav={INSTITUTION_NAV} /> },
];
