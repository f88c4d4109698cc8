import type { StaffNavItem } from '../../session/staff.tsx';

/** The authority console's sections; each shows only to roles holding its action. */
export const ADMIN_NAV: StaffNavItem[] = [
  { path: '/admin', label: 'staff:nav.dashboard' },
  { path: '/admin/reviews', label: 'staff:nav.reviews', action: 'review.read' },
  { path: '/admin/paying-bills', label: 'staff:nav.paying', action: 'bill.read' },
  { path: '/admin/mismatches', label: 'staff:nav.mismatches', action: 'reconciliation.read' },
  { path: '/admin/appeals', label: 'appeals:nav.queue', action: 'appeal.read' },
  { path: '/admin/config', label: 'config:nav.config', action: 'exam.read' },
];
