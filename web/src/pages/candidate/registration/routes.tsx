import type { RouteObject } from 'react-router';

/** The sittings and subject registration pages. */
export const registrationRoutes: RouteObject[] = [];
