import type { RouteObject } from 'react-router';
import { accountRoutes } from './pages/candidate/account/routes.tsx';
import { billRoutes } from './pages/candidate/bills/routes.tsx';
import { registrationRoutes } from './pages/candidate/registration/routes.tsx';
import { documentRoutes } from './pages/documents/routes.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { institutionRoutes } from './pages/institution/routes.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { publicRoutes } from './pages/public/routes.tsx';
import { staffRoutes } from './pages/staff/routes.tsx';
import { recordRoutes } from './pages/candidate/records/routes.tsx';

/** Every page of the app; each area lists its own in pages/<area>/routes.tsx. */
export const routes: RouteObject[] = [
  { path: '/', element: <HomePage /> },
  ...accountRoutes,
  ...registrationRoutes,
  ...billRoutes,
  ...publicRoutes,
  ...documentRoutes,
  ...staffRoutes,
  ...institutionRoutes,
  ...recordRoutes,
  { path: '*', element: <NotFoundPage /> },
];
