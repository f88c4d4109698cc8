import type { StaffNavItem } from '../../session/staff.tsx';

/** The authority console's sections; each shows only to roles holding its action. */
export const ADMIN_NAV: StaffNavItem[] = [
  { path: '/admin', label: 'staff:nav.dashboard' },
  { path: '/admin/reviews', label: 'staff:nav.reviews', action: 'review.read' },
  { path: '/admin/paying-bills', label: 'staff:nav.paying', action: 'bill.read' },
  { path: '/admin/mismatches', label: 'staff:nav.mismatches', action: 'reconciliation.read' },
  { path: '/admin/imports', label: 'imports:nav.imports', action: 'import.read' },
  { path: '/admin/exports', label: 'imports:nav.exports', action: 'export.read' },
];
