import { Tag } from 'antd';
import type { ReactNode } from 'react';

/**
 * A state tag dark enough to read: antd's preset light tags (green on pale green, 3.4 : 1) fail
 * WCAG AA contrast for small text, so states are white on a dark tone (≥ 4.5 : 1).
 */
const TONES = { green: '#237804', blue: '#0958d9', orange: '#ad4e00', red: '#a8071a', purple: '#531dab', grey: '#595959' } as const;
export type Tone = keyof typeof TONES;

export function StrongTag({ tone, children, ...rest }: { tone: Tone; children: ReactNode } & Record<`data-${string}`, string> & { className?: string }) {
  return <Tag {...rest} style={{ color: '#fff', background: TONES[tone], borderColor: TONES[tone], marginInlineEnd: 8 }}>{children}</Tag>;
}
