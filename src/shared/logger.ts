import pino, { type Logger } from 'pino';

/**
 * JSON logs with secrets and personal data removed at the source (OPS-6): passwords, session
 * cookies, keys and ID numbers never reach a log line, whatever object a caller logs.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'currentPassword', '*.currentPassword', 'newPassword', '*.newPassword',
  'idNumber', '*.idNumber', 'id_number', '*.id_number', 'password_hash', '*.password_hash',
  'privateKeyPem', '*.privateKeyPem', 'token', '*.token', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.headers.authorization',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
