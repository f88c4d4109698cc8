import type { RouteObject } from 'react-router';

/** The institution console pages. */
export const institutionRoutes: RouteObject[] = [];
