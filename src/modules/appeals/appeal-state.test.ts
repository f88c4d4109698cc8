import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppealState } from '../../db/schema.ts';
import { APPEAL_TRANSITIONS, transition, type AppealChange } from './appeal-state.ts';

const STATES: AppealState[] = ['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN'];

describe('the appeal state machine (ORG-2)', () => {
  it('a pending appeal is accepted, rejected with a reason, or withdrawn', () => {
    expect(transition('PENDING', { to: 'ACCEPTED' })).toEqual({ ok: true, value: { to: 'ACCEPTED', rejectReason: null } });
    expect(transition('PENDING', { to: 'REJECTED', reason: '  证件信息不符  ' })).toEqual({ ok: true, value: { to: 'REJECTED', rejectReason: '证件信息不符' } });
    expect(transition('PENDING', { to: 'WITHDRAWN' })).toEqual({ ok: true, value: { to: 'WITHDRAWN', rejectReason: null } });
  });

  it('a rejection needs a reason the candidate can read, of at most 200 characters', () => {
    expect(transition('PENDING', { to: 'REJECTED', reason: '   ' })).toEqual({ ok: false, error: { code: 'APPEAL_REASON_REQUIRED' } });
    expect(transition('PENDING', { to: 'REJECTED', reason: '理'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(transition('PENDING', { to: 'REJECTED', reason: '理'.repeat(200) })).toMatchObject({ ok: true });
  });

  it('a decided or withdrawn appeal never changes again, whatever is asked', () => {
    const change = fc.constantFrom<AppealChange>({ to: 'ACCEPTED' }, { to: 'REJECTED', reason: '不符' }, { to: 'WITHDRAWN' });
    fc.assert(fc.property(fc.constantFrom<AppealState>('ACCEPTED', 'REJECTED', 'WITHDRAWN'), change, (from, c) => {
      expect(transition(from, c)).toEqual({ ok: false, error: { code: 'APPEAL_NOT_PENDING', details: { state: from } } });
    }));
  });

  it('the table has no way back to PENDING and no way out of a final state', () => {
    for (const s of STATES) expect(APPEAL_TRANSITIONS[s]).not.toContain('PENDING');
    expect(STATES.filter((s) => APPEAL_TRANSITIONS[s].length > 0)).toEqual(['PENDING']);
  });
});
