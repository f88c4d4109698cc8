import type { StaffNavItem } from '../../session/staff.tsx';

/** The authority console's sections; each shows only to roles holding its action. */
export const ADMIN_NAV: StaffNavItem[] = [
  { path: '/admin', label: 'staff:nav.dashboard' },
  { path: '/admin/reviews', label: 'staff:nav.reviews', action: 'review.read' },
  { path: '/admin/paying-bills', label: 'staff:nav.paying', action: 'bill.read' },
  { path: '/admin/mismatches', label: 'staff:nav.mismatches', action: 'reconciliation.read' },
  { path: '/admin/appeals', label: 'appeals:nav.queue', action: 'appeal.read' },
  { path: '/admin/config', label: 'config:nav.config', action: 'exam.read' },
  // Refunds, audit log, staff accounts (pages/staff/finance/).
  { path: '/admin/refunds', label: 'finance:nav.refunds', action: 'refund.read' },
  { path: '/admin/audit', label: 'finance:nav.audit', action: 'audit.read' },
  { path: '/admin/staff', label: 'finance:nav.staff', action: 'staff.read' },
  { path: '/admin/imports', label: 'imports:nav.imports', action: 'import.read' },
  { path: '/admin/exports', label: 'imports:nav.exports', action: 'export.read' },
];
