import type { RouteObject } from 'react-router';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { HomePage } from './pages/HomePage.tsx';

/**
 * Every page of the app. Areas add their routes in their own files and are listed here once:
 * candidate (account, registration, bills), public (pay by code, verification, quick print),
 * staff console and institution console.
 */
export const routes: RouteObject[] = [
  { path: '/', element: <HomePage /> },
  { path: '*', element: <NotFoundPage /> },
];
