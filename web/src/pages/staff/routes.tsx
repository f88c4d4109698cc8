import type { RouteObject } from 'react-router';

/** The authority console pages. */
export const staffRoutes: RouteObject[] = [];
