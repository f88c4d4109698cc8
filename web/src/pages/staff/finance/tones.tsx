import { Tag } from 'antd';
import type { ReactNode } from 'react';

/**
 * Tags in colours dark enough to read (WCAG AA contrast ≥ 4.5 on their tint): antd's preset green
 * and blue tags fall short at 12 px.
 */
const TONES = {
  blue: { color: '#0958d9', background: '#e6f4ff', borderColor: '#91caff' },
  green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
} as const;
export type Tone = keyof typeof TONES;

export function ToneTag({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  return <Tag style={TONES[tone]} data-testid={testId}>{children}</Tag>;
}

/** A danger action in a readable red (antd's #ff4d4f on white is 3.3 : 1). */
export const DANGER_STYLE = { color: '#a8071a', borderColor: '#a8071a' } as const;
export const DANGER_SOLID = { background: '#a8071a', borderColor: '#a8071a', color: '#fff' } as const;
/** Descriptions labels in the text colour (antd's grey label on the console's grey is 3.3 : 1). */
export const READABLE_LABELS = { label: { color: 'rgba(0, 0, 0, 0.88)' } } as const;

/**
 * A wide table on a phone: this region scrolls sideways and takes keyboard focus (Tab, then the
 * arrow keys), named for screen readers; the table inside keeps its natural width.
 */
export function ScrollRegion({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}><div style={{ minWidth }}>{children}</div></div>;
}
