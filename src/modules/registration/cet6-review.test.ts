import { describe, expect, it } from 'vitest';
import { generatePersonalDataKeyText, lookupHash, parsePersonalDataKeys } from '../../shared/personal-data.ts';
import { decideCet6Review, type Cet4Record } from './cet6-review.ts';

// ID numbers reach the rule as keyed lookup hashes (OPS-6).
const text = generatePersonalDataKeyText();
const keys = parsePersonalDataKeys(text.encryption, text.hash);
const h = (idNumber: string) => lookupHash(keys, 'id-number', idNumber);
const ME_ID = '11010519990307123X';
const me = { idNumberHash: h(ME_ID), name: '张三' };
const record = (o: Partial<Cet4Record> = {}): Cet4Record => ({ ticketNo: '110011191100101', idNumberHash: me.idNumberHash, name: me.name, score: 480, ...o });

describe('CET6 eligibility review (REG-4)', () => {
  it('REG-4: same ID number → approved automatically, even when the name differs', () => {
    expect(decideCet6Review({ candidate: me, record: record(), threshold: 425 })).toEqual({ filed: true, status: 'APPROVED' });
    expect(decideCet6Review({ candidate: me, record: record({ name: '张山' }), threshold: 425 })).toEqual({ filed: true, status: 'APPROVED' });
    expect(decideCet6Review({ candidate: me, record: record({ idNumberHash: h(` ${ME_ID.toLowerCase()}`) }), threshold: 425 })).toEqual({ filed: true, status: 'APPROVED' });
  });
  it('REG-4: different ID number but the same name → 未复核, for the institution to decide', () => {
    expect(decideCet6Review({ candidate: me, record: record({ idNumberHash: h('110105199903071231') }), threshold: 425 })).toEqual({ filed: true, status: 'PENDING' });
    expect(decideCet6Review({ candidate: me, record: record({ idNumberHash: h('110105199903071231'), name: '张 三' }), threshold: 425 })).toEqual({ filed: true, status: 'PENDING' });
  });
  it('REG-4: neither ID number nor name → cannot be filed', () => {
    expect(decideCet6Review({ candidate: me, record: record({ idNumberHash: h('110105199903071231'), name: '李四' }), threshold: 425 })).toEqual({ filed: false, code: 'CET4_IDENTITY_MISMATCH' });
  });
  it('REG-4: the threshold is configuration: 424 fails at 425, passes at 420; 425 passes at 425', () => {
    expect(decideCet6Review({ candidate: me, record: record({ score: 424 }), threshold: 425 })).toEqual({ filed: false, code: 'CET4_SCORE_TOO_LOW' });
    expect(decideCet6Review({ candidate: me, record: record({ score: 424 }), threshold: 420 })).toEqual({ filed: true, status: 'APPROVED' });
    expect(decideCet6Review({ candidate: me, record: record({ score: 425 }), threshold: 425 })).toEqual({ filed: true, status: 'APPROVED' });
  });
  it('REG-4: an unknown ticket number cannot be filed', () => {
    expect(decideCet6Review({ candidate: me, record: null, threshold: 425 })).toEqual({ filed: false, code: 'CET4_TICKET_NOT_FOUND' });
  });
});
