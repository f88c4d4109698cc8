import type { RouteObject } from 'react-router';
import { ExportsPage } from './ExportsPage.tsx';
import { ImportsPage } from './ImportsPage.tsx';

/** The console's imports and exports pages (ADM-2). */
export const importExportRoutes: RouteObject[] = [
  { path: '/admin/imports', element: <ImportsPage /> },
  { path: '/admin/exports', element: <ExportsPage /> },
];
