import type { RouteObject } from 'react-router';

/** The bill, payment and refund pages. */
export const billRoutes: RouteObject[] = [];
