import { describe, expect, it } from 'vitest';
import { slotText, ticketContent } from './admission-ticket-content.ts';
import { printVerdict } from './print-window.ts';

describe('admission ticket content (DOC-2)', () => {
  it('slot times in Beijing time; the end as a time when it is the same Beijing day', () => {
    expect(slotText(new Date('2026-06-13T01:00:00Z'), new Date('2026-06-13T03:20:00Z'))).toBe('2026-06-13 09:00–11:20');
    // 23:00–01:00 Beijing crosses midnight there though not in UTC.
    expect(slotText(new Date('2026-06-13T15:00:00Z'), new Date('2026-06-13T17:00:00Z'))).toBe('2026-06-13 23:00 – 2026-06-14 01:00');
    expect(slotText(null, null)).toBe('—');
  });

  it('one kind per ticket, with seat and site when the registration holds them', () => {
    const c = ticketContent({
      authority: '教育考试院', exam: 'CET', sitting: '2026年上半年', kind: 'ORAL', ticketNo: '200000000000007',
      candidate: { name: '李四', idNumberMasked: '3101**********0011' }, printedAt: new Date('2026-06-01T00:00:00Z'),
      subjects: [{ name: '英语四级口试', site: '本部', startsAt: new Date('2026-05-20T01:00:00Z'), endsAt: new Date('2026-05-20T01:30:00Z'), seatNo: 3 },
        { name: '英语六级口试', site: null, startsAt: null, endsAt: null, seatNo: null }],
    });
    expect(c.title).toBe('CET 准考证（口试）');
    expect(c.rows).toEqual([['英语四级口试', '本部', '2026-05-20 09:00–09:30', '3'], ['英语六级口试', '以考点通知为准 see notice', '—', '—']]);
    expect(c.fields).toContainEqual({ label: '准考证号 Ticket No.', value: '200000000000007' });
  });
});

describe('print window (DOC-2)', () => {
  const w = { kind: 'PRINT' as const, siteId: null, opensAt: new Date('2026-06-01T00:00:00Z'), closesAt: new Date('2026-06-13T00:00:00Z') };
  it('open in [opens, closes), closed either side with the window in Beijing time, and no PRINT window = no tickets here', () => {
    expect(printVerdict([w], new Date(w.opensAt.getTime() - 1))).toEqual({ ok: false, error: { code: 'WINDOW_CLOSED', details: { windows: [{ kind: 'PRINT', opensAt: '2026-06-01 08:00:00', closesAt: '2026-06-13 08:00:00' }] } } });
    expect(printVerdict([w], w.opensAt)).toEqual({ ok: true, window: w });
    expect(printVerdict([w], new Date(w.closesAt.getTime() - 1)).ok).toBe(true);
    expect(printVerdict([w], w.closesAt).ok).toBe(false);
    expect(printVerdict([{ ...w, kind: 'REGISTRATION' }], w.opensAt)).toEqual({ ok: false, error: { code: 'ADMISSION_TICKETS_NOT_OFFERED' } });
  });
});
