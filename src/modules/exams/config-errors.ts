/** PostgreSQL's answers a configuration change turns into coded failures (not 500s). */
const pgCode = (err: unknown) => (err as { code?: unknown } | null)?.code;

/** 23505: a code already used (UNIQUE (…, code)), found by the database when two changes race. */
export const uniqueViolation = (err: unknown) => pgCode(err) === '23505';
/** 23503: something still refers to a row being deleted (a registration, a standing, a decision). */
export const foreignKeyViolation = (err: unknown) => pgCode(err) === '23503';
