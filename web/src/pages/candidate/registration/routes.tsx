import type { RouteObject } from 'react-router';
import { SittingPage } from './SittingPage.tsx';
import { SittingsPage } from './SittingsPage.tsx';

/** The sittings and subject registration pages. */
export const registrationRoutes: RouteObject[] = [
  { path: '/sittings', element: <SittingsPage /> },
  { path: '/sittings/:sittingId', element: <SittingPage /> },
];
