import type { RouteObject } from 'react-router';

/** The account (sign-in, sign-up, password, recovery) pages. */
export const accountRoutes: RouteObject[] = [];
