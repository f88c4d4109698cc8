import { describe, expect, it } from 'vitest';
import type { StaffRole } from '../../db/schema.ts';
import { ALL_STAFF_ACTIONS, authorize, listScope, ROLE_PERMISSIONS, STAFF_ACTIONS, STAFF_ROLES, surfaceOf, type ResourceScope, type StaffAction, type StaffActor } from './authorization.ts';

/**
 * ADM-5, written out by hand, one row per action: which roles may perform it (A = authority
 * admin, F = finance, I = institution staff, R = read-only). This is the specification the
 * module is checked against; docs/roles.md shows the same table.
 */
const EXPECTED: Record<StaffAction, string> = {
  'candidate.read': 'AFIR',
  'registration.read': 'AFIR',
  'registration.create': 'I',
  'registration.delete': 'I',
  'bill.read': 'AFIR',
  'bill.pay': 'I',
  'review.read': 'AIR',
  'review.decide': 'AI',
  'institution.read': 'AFIR',
  'staff.read': 'AR',
  'staff.manage': 'A',
  'audit.read': 'A',
  'exam.configure': 'A',
  'exam.read': 'A',
  'refund.read': 'AFR',
  'refund.personal': 'AF',
  'refund.retry': 'AF',
  'registration.cancel': 'A',
  'sitting.cancel': 'A',
  'decision.read': 'AFR',
  'repayment.read': 'AR',
  'repayment.decide': 'A',
  'dashboard.read': 'AFR',
  'bill.query': 'AF',
  'reconciliation.read': 'AFR',
  'reconciliation.resolve': 'AF',
  'import.run': 'A',
  'import.read': 'AR',
  'export.read': 'AFIR',
  'appeal.read': 'AIR',
  'appeal.decide': 'AI',
};
const LETTER: Record<StaffRole, string> = { AUTHORITY_ADMIN: 'A', FINANCE: 'F', INSTITUTION_STAFF: 'I', READ_ONLY: 'R' };

const AUTHORITY = 10n;
const OTHER_AUTHORITY = 20n;
const INSTITUTION = 100n;
const OTHER_INSTITUTION = 200n;

const actor = (role: StaffRole): StaffActor => ({ staffId: 1n, role, authorityId: AUTHORITY, institutionId: role === 'INSTITUTION_STAFF' ? INSTITUTION : null });

/** Where an object can sit relative to the actor, and whether each kind of role may reach it. */
const PLACES: { name: string; scope: ResourceScope; authorityRoleReaches: boolean; institutionStaffReaches: boolean }[] = [
  { name: "the actor's own institution", scope: { authorityId: AUTHORITY, institutionId: INSTITUTION }, authorityRoleReaches: true, institutionStaffReaches: true },
  { name: 'another institution of the same authority', scope: { authorityId: AUTHORITY, institutionId: OTHER_INSTITUTION }, authorityRoleReaches: true, institutionStaffReaches: false },
  { name: 'the authority, no institution', scope: { authorityId: AUTHORITY, institutionId: null }, authorityRoleReaches: true, institutionStaffReaches: false },
  { name: 'another authority', scope: { authorityId: OTHER_AUTHORITY, institutionId: null }, authorityRoleReaches: false, institutionStaffReaches: false },
  { name: "another authority's institution with the same id", scope: { authorityId: OTHER_AUTHORITY, institutionId: INSTITUTION }, authorityRoleReaches: false, institutionStaffReaches: false },
  { name: "the authority's shared reference data (a sitting)", scope: { authorityId: AUTHORITY, institutionId: null, shared: true }, authorityRoleReaches: true, institutionStaffReaches: true },
  { name: "another authority's shared reference data", scope: { authorityId: OTHER_AUTHORITY, institutionId: null, shared: true }, authorityRoleReaches: false, institutionStaffReaches: false },
];

describe('authorization policy (ADM-5): every role × action × place', () => {
  it('the table covers every action, and only known ones', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ALL_STAFF_ACTIONS].sort());
  });

  const cases = STAFF_ROLES.flatMap((role) => ALL_STAFF_ACTIONS.flatMap((action) => PLACES.map((place) => ({ role, action, place }))));
  it.each(cases.map((c) => [c.role, c.action, c.place.name, c] as const))('%s %s in %s', (_r, _a, _p, { role, action, place }) => {
    const mayAct = EXPECTED[action].includes(LETTER[role]);
    const reaches = role === 'INSTITUTION_STAFF' ? place.institutionStaffReaches : place.authorityRoleReaches;
    const expected = !mayAct ? { allowed: false, reason: 'ROLE' } : reaches ? { allowed: true } : { allowed: false, reason: 'SCOPE' };
    expect(authorize(actor(role), action, place.scope)).toEqual(expected);
  });

  it('a role lacking the action is refused the same way wherever the object is (403 reveals nothing)', () => {
    for (const role of STAFF_ROLES) {
      for (const action of ALL_STAFF_ACTIONS.filter((a) => !ROLE_PERMISSIONS[role].includes(a))) {
        const reasons = new Set(PLACES.map((p) => { const d = authorize(actor(role), action, p.scope); return d.allowed ? 'ALLOWED' : d.reason; }));
        expect([...reasons]).toEqual(['ROLE']);
      }
    }
  });

  it('READ_ONLY never changes anything; FINANCE never configures or decides: its only changes move money (refunds)', () => {
    const here = { authorityId: AUTHORITY, institutionId: null };
    for (const action of ALL_STAFF_ACTIONS.filter((a) => STAFF_ACTIONS[a].changes)) {
      expect(authorize(actor('READ_ONLY'), action, here)).toEqual({ allowed: false, reason: 'ROLE' });
      if (!('money' in STAFF_ACTIONS[action])) expect(authorize(actor('FINANCE'), action, here)).toEqual({ allowed: false, reason: 'ROLE' });
    }
    expect(ROLE_PERMISSIONS.FINANCE.filter((a) => STAFF_ACTIONS[a].changes).sort()).toEqual(['bill.query', 'reconciliation.resolve', 'refund.personal', 'refund.retry']);
    expect(ROLE_PERMISSIONS.FINANCE.filter((a) => STAFF_ACTIONS[a].changes).every((a) => 'money' in STAFF_ACTIONS[a] && STAFF_ACTIONS[a].money)).toBe(true);
  });

  it('institution staff without an institution reach nothing', () => {
    const orphan: StaffActor = { staffId: 1n, role: 'INSTITUTION_STAFF', authorityId: AUTHORITY, institutionId: null };
    expect(authorize(orphan, 'candidate.read', { authorityId: AUTHORITY, institutionId: null })).toEqual({ allowed: false, reason: 'SCOPE' });
    expect(listScope(orphan).institutionId).toBe(-1n);
  });

  it('lists are scoped the same way: the authority, narrowed to the institution for its staff', () => {
    expect(listScope(actor('AUTHORITY_ADMIN'))).toEqual({ authorityId: AUTHORITY, institutionId: null });
    expect(listScope(actor('READ_ONLY'))).toEqual({ authorityId: AUTHORITY, institutionId: null });
    expect(listScope(actor('INSTITUTION_STAFF'))).toEqual({ authorityId: AUTHORITY, institutionId: INSTITUTION });
  });

  it('institution staff use the institution API; every other role the authority\'s', () => {
    expect(STAFF_ROLES.map(surfaceOf)).toEqual(['admin', 'admin', 'institution', 'admin']);
  });
});

describe('docs/roles.md shows the same permissions table', () => {
  it('one row per action, a ✓ exactly where the role may act', async () => {
    const fs = await import('node:fs');
    const page = fs.readFileSync(new URL('../../../docs/roles.md', import.meta.url), 'utf8');
    const rows = page.split('\n').filter((l) => /^\| `[a-z]+\.[a-z]+` \|/.test(l));
    const documented = Object.fromEntries(rows.map((l) => {
      const cells = l.split('|').slice(1, -1).map((c) => c.trim());
      const action = cells[0]!.replaceAll('`', '');
      return [action, STAFF_ROLES.filter((_r, i) => cells[2 + i] === '✓')];
    }));
    expect(documented).toEqual(Object.fromEntries(ALL_STAFF_ACTIONS.map((a) => [a, STAFF_ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(a))])));
  });
});
