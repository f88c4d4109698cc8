import type { Logger } from 'pino';
import type { Channel, ChannelCode } from '../channels/channel.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Mailer } from './mail/mailer.ts';

/** What use cases need from the outside world; built once in main.ts (or by a test). */
export interface AppContext {
  db: Db;
  clock: Clock;
  channels: ChannelRegistry;
  log: Logger;
  /** Base of URLs that channels and browsers call back (notify, return). */
  publicBaseUrl: string;
  /** SMTP delivery for the mail outbox; absent → mail stays in the outbox (development). */
  mailer?: Mailer;
}

export interface ChannelRegistry {
  get(code: string): Channel | undefined;
  codes(): ChannelCode[];
}

export function channelRegistry(channels: Channel[]): ChannelRegistry {
  const byCode = new Map<string, Channel>(channels.map((c) => [c.code, c]));
  return { get: (code) => byCode.get(code), codes: () => [...byCode.keys()] as ChannelCode[] };
}

/** Who did it, for the transition log: 'candidate:42', 'job:poll-paying-bills', 'notify:alipay'. */
export type Actor = string;
