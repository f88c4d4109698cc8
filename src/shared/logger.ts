import pino, { type DestinationStream, type Logger } from 'pino';
import { maskIdNumber } from './personal-data.ts';
import { isValidResidentIdChecksum } from './resident-id.ts';

/**
 * JSON logs with secrets and personal data removed at the source (OPS-6): passwords, session
 * ids, keys, card numbers, ID numbers and phones never reach a log line, whatever object a caller
 * logs. Two layers: fields are redacted by name (to three levels deep), and every finished line
 * is scrubbed of anything shaped like a 居民身份证 number or a session cookie, wherever it hides
 * (an error message, a URL, a free-text field). test/support/log-audit.ts checks the whole test
 * run's logs for what got through.
 */
const SENSITIVE_FIELDS = [
  'password', 'currentPassword', 'newPassword', 'password_hash', 'initialPassword',
  'idNumber', 'id_number', 'idNumberPlain',
  'phone', 'mobile', 'phoneNumber',
  'cardNo', 'cardNumber', 'card_number', 'accNo',
  'sessionId', 'session_id', 'sessionToken', 'token',
  'privateKeyPem', 'personalData', 'personalDataKeys', 'hashKey',
];

export const REDACT_PATHS = [
  ...SENSITIVE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', 'headers.cookie', 'headers["set-cookie"]',
];

const RESIDENT_ID_SHAPE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const SESSION_COOKIE_VALUE = /(exampay_sid=)[^;,"\s\\]+/g;

/** The last layer: masks resident-ID-shaped numbers (valid check character) and session cookies in a finished line. */
export function scrubLogLine(line: string): string {
  return line
    .replace(RESIDENT_ID_SHAPE, (m) => (isValidResidentIdChecksum(m.toUpperCase()) ? maskIdNumber(m) : m))
    .replace(SESSION_COOKIE_VALUE, '$1[redacted]');
}

const QUERY_SECRETS = /^(id_?number|phone|mobile|name|password|token|sid|card(_?no)?|acc_?no)$/i;

/** Fastify's request fields, with the values of personal query parameters hidden. */
function requestSerializer(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: req.method, url: req.url === undefined ? undefined : scrubQuery(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

function scrubQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq >= 0 && QUERY_SECRETS.test(decodeURIComponent(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** The one logger factory: production writes to stdout, tests to the run's log file (test/support/test-log.ts). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestSerializer },
    hooks: { streamWrite: scrubLogLine },
  };
  return destination ? pino(options, destination) : pino(options);
}
