import type { RouteObject } from 'react-router';
import { QuickPrintPage } from './QuickPrintPage.tsx';
import { TicketsPage } from './TicketsPage.tsx';
import { VerifyReceiptPage } from './VerifyReceiptPage.tsx';

/** The receipt verification, admission tickets and quick print pages. */
export const documentRoutes: RouteObject[] = [
  { path: '/verify/:code', element: <VerifyReceiptPage /> },
  { path: '/tickets', element: <TicketsPage /> },
  { path: '/tickets/quick-print', element: <QuickPrintPage /> },
];
