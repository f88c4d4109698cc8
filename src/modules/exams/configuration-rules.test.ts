import { describe, expect, it } from 'vitest';
import { csvCell } from '../audit/audit-csv.ts';
import { auditSafe } from './config-audit.ts';
import { resolveTime, sittingProblems, subjectProblems, windowProblems } from './configuration-rules.ts';
import type { SittingConfig } from './exam-configuration.schema.ts';

const now = new Date('2026-03-15T01:00:00.250Z');

describe('times in a configuration (REG-1)', () => {
  it('durations count from now, Beijing times are Beijing times, to the whole second', () => {
    expect(resolveTime('P-1D', now)?.toISOString()).toBe('2026-03-14T01:00:00.000Z');
    expect(resolveTime('P10DT8H30M', now)?.toISOString()).toBe('2026-03-25T09:30:00.000Z');
    expect(resolveTime('2026-03-15 09:00:00', now)?.toISOString()).toBe('2026-03-15T01:00:00.000Z');
  });
  it('a day or hour that does not exist is no time', () => {
    for (const bad of ['2026-02-30 09:00:00', '2026-13-01 09:00:00', '2026-03-15 24:00:00', 'P1X']) expect(resolveTime(bad, now), bad).toBeNull();
  });
});

describe('windows and subjects', () => {
  const sites = new Set(['A']);
  it('a window ends after it opens; only SITE_MANAGEMENT names a site of the sitting', () => {
    expect(windowProblems({ kind: 'PAYMENT', opens: 'P1D', closes: 'P2D' }, { sites, now })).toEqual([]);
    expect(windowProblems({ kind: 'PAYMENT', opens: 'P2D', closes: 'P1D' }, { sites, now })).toEqual([{ path: '/closes', reason: 'must be after P2D' }]);
    expect(windowProblems({ kind: 'SITE_MANAGEMENT', opens: 'P1D', closes: 'P2D' }, { sites, now }).map((p) => p.path)).toEqual(['/site']);
    expect(windowProblems({ kind: 'PRINT', site: 'B', opens: 'P1D', closes: 'P2D' }, { sites, now }).map((p) => p.path)).toEqual(['/site', '/site']);
  });
  it('REG-5: an oral subject names a written subject of the sitting, and a written one named so stays written', () => {
    const others = new Map([['W', 'WRITTEN'], ['O', 'ORAL']] as const);
    const base = { code: 'X', name: 'x', feeFen: 1 };
    expect(subjectProblems({ ...base, kind: 'ORAL', writtenSubject: 'W' }, { others })).toEqual([]);
    expect(subjectProblems({ ...base, kind: 'ORAL', writtenSubject: 'O' }, { others })[0]?.reason).toBe('O is not a written subject');
    expect(subjectProblems({ ...base, kind: 'ORAL', writtenSubject: 'X' }, { others })[0]?.reason).toBe('a subject cannot be its own written subject');
    expect(subjectProblems({ ...base, kind: 'WRITTEN', writtenSubject: 'W' }, { others })[0]?.path).toBe('/writtenSubject');
    expect(subjectProblems({ ...base, kind: 'ORAL' }, { others, namedBy: ['O'] })).toEqual([{ path: '/kind', reason: 'oral subjects O name it as their written subject' }]);
  });
});

describe('a whole sitting', () => {
  const sitting: SittingConfig = {
    code: 'S', name: 's',
    windows: [{ kind: 'SITE_MANAGEMENT', site: 'A', opens: 'P1D', closes: 'P2D' }],
    subjects: [{ code: 'W', name: 'w', kind: 'WRITTEN', feeFen: 1 }, { code: 'O', name: 'o', kind: 'ORAL', feeFen: 1, writtenSubject: 'W' }],
    sites: [{ code: 'A', name: 'a' }], slots: [{ code: 'AM', starts: 'P3D', ends: 'P3DT2H' }],
    capacity: [{ site: 'A', slot: 'AM', subject: 'W', seats: 5 }],
  };
  it('a good one has no problems', () => expect(sittingProblems(sitting, now)).toEqual([]));
  it('every problem is listed with its path in the file', () => {
    const bad: SittingConfig = {
      ...sitting,
      sites: [...sitting.sites, { code: 'A', name: 'again' }],
      slots: [{ code: 'AM', starts: 'P3D', ends: 'P2D' }],
      capacity: [...sitting.capacity, { site: 'A', slot: 'AM', subject: 'W', seats: 1 }, { site: 'Z', slot: 'AM', subject: 'Q', seats: 1 }],
    };
    expect(sittingProblems(bad, now).map((p) => p.path)).toEqual(['/sitting/sites/1/code', '/sitting/slots/0/ends', '/sitting/capacity/1', '/sitting/capacity/2/site', '/sitting/capacity/2/subject']);
  });
});

describe('what the audit log and its export may hold (ADM-4, OPS-6)', () => {
  it('configuration text that looks like personal data becomes a digest; a fixed password only a flag; names become titles', () => {
    const safe = auditSafe({ name: '笔试', agreementText: '电话 13812345678', initialPassword: { rule: 'FIXED', password: '123456' }, feeFen: 7000n }) as Record<string, unknown>;
    expect(safe).toEqual({ title: '笔试', agreementText: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), length: 14 }, initialPassword: { rule: 'FIXED', passwordSet: true }, feeFen: '7000' });
  });
  it('CSV cells: quoted when they must be, and never a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell(null)).toBe('');
  });
});
