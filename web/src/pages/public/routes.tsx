import type { RouteObject } from 'react-router';

/** The pages without signing in (pay by payment code). */
export const publicRoutes: RouteObject[] = [];
