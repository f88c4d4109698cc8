import { Type, type TSchema } from 'typebox';

/** The one error body every endpoint returns (OPS-5). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable machine code, e.g. BILL_ALREADY_PAID' }),
    message: Type.String({ description: 'Message in the language the client asked for (Accept-Language), Chinese by default' }),
    messageZh: Type.String(),
    messageEn: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
}, { $id: 'ErrorBody', title: 'Error' });

const errorRef = Type.Ref('ErrorBody');

/** Response map for a route: its success schema plus the coded error for each status it can give. */
export function responses<T extends TSchema>(status: 200 | 201 | 202 | 204, ok: T, errorStatuses: number[] = []) {
  const out: Record<number, TSchema> = { [status]: ok };
  for (const s of new Set([400, 500, ...errorStatuses])) out[s] = errorRef;
  return out;
}

export const BillNo = Type.String({ pattern: '^\\d{21}$', description: 'Bill number (订单号): 21 digits, date-prefixed, with a check digit' });
// At most 18 digits: always inside PostgreSQL's bigint, so no id can overflow a query.
export const IdString = Type.String({ pattern: '^[1-9]\\d{0,17}$', description: 'Numeric id, as a string' });
export const Fen = Type.Integer({ minimum: 0, description: 'Amount in fen (1/100 yuan)' });
export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** The answer to a captcha from POST /api/v1/captchas, on every request that needs one (ACC-4). */
export const CaptchaFields = {
  captchaId: Type.String({ minLength: 1, maxLength: 64, description: 'From POST /api/v1/captchas' }),
  captchaAnswer: Type.String({ minLength: 1, maxLength: 16 }),
};
