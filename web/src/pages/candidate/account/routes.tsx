import type { RouteObject } from 'react-router';
import { AccountPage } from './AccountPage.tsx';
import { ForgotPage, RecoverPage, SignUpPage } from './AnonymousForms.tsx';
import { ResetPage, VerifyEmailPage } from './LinkPages.tsx';
import { PasswordPage } from './PasswordPage.tsx';
import { SignInPage } from './SignInPage.tsx';

/** The account (sign-in, sign-up, password, recovery) pages. */
export const accountRoutes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  { path: '/forgot', element: <ForgotPage /> },
  { path: '/recover', element: <RecoverPage /> },
  { path: '/reset', element: <ResetPage /> },
  { path: '/verify-email', element: <VerifyEmailPage /> },
  { path: '/account', element: <AccountPage /> },
  { path: '/account/password', element: <PasswordPage /> },
];
