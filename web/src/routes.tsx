import type { RouteObject } from 'react-router';
import { consoleArea } from './areas/ConsoleArea.tsx';
import { accountRoutes } from './pages/candidate/account/routes.tsx';
import { billRoutes } from './pages/candidate/bills/routes.tsx';
import { registrationRoutes } from './pages/candidate/registration/routes.tsx';
import { documentRoutes } from './pages/documents/routes.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { publicRoutes } from './pages/public/routes.tsx';
import { recordRoutes } from './pages/candidate/records/routes.tsx';

/** Every page of the app; each area lists its own in pages/<area>/routes.tsx. The consoles load on first use. */
export const routes: RouteObject[] = [
  { path: '/', element: <HomePage /> },
  ...accountRoutes,
  ...registrationRoutes,
  ...billRoutes,
  ...publicRoutes,
  ...documentRoutes,
  ...recordRoutes,
  consoleArea('/admin', () => import('./pages/staff/routes.tsx').then((m) => m.staffRoutes)),
  consoleArea('/institution', () => import('./pages/institution/routes.tsx').then((m) => m.institutionRoutes)),
  { path: '*', element: <NotFoundPage /> },
];
