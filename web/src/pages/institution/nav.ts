import type { StaffNavItem } from '../../session/staff.tsx';

export const INSTITUTION_NAV: StaffNavItem[] = [
  { path: '/institution', label: 'institution:nav.candidates', action: 'registration.read' },
  { path: '/institution/import', label: 'institution:nav.import', action: 'registration.create' },
  { path: '/institution/register', label: 'institution:nav.register', action: 'registration.create' },
  { path: '/institution/bills', label: 'institution:nav.bills', action: 'bill.read' },
  { path: '/institution/reviews', label: 'institution:nav.reviews', action: 'review.read' },
  { path: '/institution/appeals', label: 'appeals:nav.queue', action: 'appeal.read' },
];
