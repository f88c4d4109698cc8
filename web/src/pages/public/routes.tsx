import type { RouteObject } from 'react-router';
import { PayPage } from './PayPage.tsx';

/** The pages without signing in (pay by payment code). */
export const publicRoutes: RouteObject[] = [
  { path: '/pay', element: <PayPage /> },
];
