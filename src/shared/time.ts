/** Times are stored as timestamptz and shown in Asia/Shanghai (UTC+8, no DST). */
const fmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
  hour12: false,
});

/** "2026-03-15 09:00:00" in Beijing time — also the format Alipay uses on the wire. */
export function formatShanghai(d: Date): string {
  return fmt.format(d).replace('T', ' ');
}

/** Parses "yyyy-MM-dd HH:mm:ss" as Beijing time. */
export function parseShanghai(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not a "yyyy-MM-dd HH:mm:ss" time: ${JSON.stringify(s)}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
}

/** "20260315" — the Beijing calendar date, used as the bill-number prefix. */
export function shanghaiDateCompact(d: Date): string {
  return formatShanghai(d).slice(0, 10).replaceAll('-', '');
}
