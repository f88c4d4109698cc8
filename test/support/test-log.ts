import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { LOG_SUFFIX, SECRETS_PREFIX, type SecretKind } from './log-audit.ts';

/*
 * Every ExamPay logger in tests comes from here (ESLint refuses `pino` elsewhere in tests): the
 * production logger (redaction, scrubbing) at trace level, writing to this worker's file in the
 * run's log folder, which global-setup audits when the whole run is done (log-audit.ts).
 */
let destination: pino.DestinationStream | undefined;

function runFile(prefix: string, suffix: string): string {
  return path.join(inject('testLogDir'), `${prefix}${process.pid}${suffix}`);
}

/** The run-wide test logger; `also` gets the same lines, for a test that reads them itself. */
export function testLogger(also?: Writable): Logger {
  // Synchronous writes: a worker that ends at any moment has put every line on disk.
  destination ??= pino.destination({ dest: runFile('worker-', LOG_SUFFIX), append: true, sync: true });
  return createLogger('trace', also ? pino.multistream([{ stream: destination, level: 'trace' }, { stream: also, level: 'trace' }]) : destination);
}

const recorded = new Set<string>();

/** Tells the run's log audit a value that must never appear in a log. */
export function recordSecret(kind: SecretKind, value: string): void {
  const row = JSON.stringify({ kind, value });
  if (recorded.has(row)) return;
  recorded.add(row);
  fs.appendFileSync(runFile(SECRETS_PREFIX, '.jsonl'), `${row}\n`);
}
