import type { RouteObject } from 'react-router';

/** The receipt verification, admission tickets and quick print pages. */
export const documentRoutes: RouteObject[] = [];
