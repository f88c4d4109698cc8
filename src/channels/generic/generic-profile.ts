/**
 * The configurable generic channel (docs/generic-channels.md): one wire protocol of ExamPay's own,
 * whose field names, paths, body encoding, amount unit and acknowledgement are data. A profile
 * is that data for one provider. The two profiles here are ExamPay's defaults for the public
 * payment platform (seed 001) and PayEase (seed 002); they were NOT checked against those
 * providers' real merchant APIs — mapping a real contract means writing its profile.
 */

/** The protocol's logical fields; a profile gives each its name on the wire. */
export const GENERIC_FIELDS = [
  'merchantId', 'timestamp', 'nonce', 'signType', 'sign',
  'orderNo', 'amount', 'subject', 'notifyUrl', 'returnUrl', 'expireTime', 'payType', 'limitPay',
  'code', 'message', 'qrContent', 'cashierUrl',
  'tradeNo', 'status', 'paidTime',
  'refundNo', 'refundAmount', 'refundReason', 'refundStatus', 'refundTime',
  'notifyId', 'notifyType', 'statementDate', 'downloadUrl', 'fileDigest',
] as const;
export type GenericField = (typeof GENERIC_FIELDS)[number];

export const GENERIC_OPERATIONS = ['create', 'query', 'close', 'refund', 'refundQuery', 'statement'] as const;
export type GenericOperation = (typeof GENERIC_OPERATIONS)[number];

export type GenericChannelCode = 'publicpay' | 'payease';

export interface GenericProfile {
  code: GenericChannelCode;
  name: { zh: string; en: string };
  /** How requests, answers and notifications travel: a form or a flat JSON object of strings. */
  encoding: 'form' | 'json';
  /** Appended to the configured gateway base URL. */
  paths: Record<GenericOperation, string>;
  fields: Record<GenericField, string>;
  /** Amounts on the wire (and in the statement): integer fen "10000" or yuan "100.00". */
  amountUnit: 'fen' | 'yuan';
  /** The exact body (HTTP 200) that tells the provider a notification was taken. */
  notifyAck: string;
  /** Only QR payment is offered (payType QR); seed 001: "扫码支付". */
  qrOnly: boolean;
  /** 'always': the provider offers bank cards only, whatever the exam says (seed 001). */
  bankCardOnly: 'always' | 'when-asked';
}

/**
 * 上海市一网通办公共支付平台 (seed 001), as a generic channel: QR only, bank cards only ("不支持
 * 微信零钱、支付宝余额支付，必须绑定银行卡"), form-encoded, amounts in yuan. Field names are
 * ExamPay's guess in the style of Chinese payment platforms, not the platform's documented ones
 * (none were found).
 */
export const PUBLICPAY_PROFILE: GenericProfile = {
  code: 'publicpay',
  name: { zh: '公共支付平台', en: 'Public payment platform' },
  encoding: 'form',
  paths: {
    create: '/gateway/trade/create', query: '/gateway/trade/query', close: '/gateway/trade/close',
    refund: '/gateway/refund/apply', refundQuery: '/gateway/refund/query', statement: '/gateway/bill/download',
  },
  fields: {
    merchantId: 'mch_id', timestamp: 'timestamp', nonce: 'nonce_str', signType: 'sign_type', sign: 'sign',
    orderNo: 'out_trade_no', amount: 'total_amount', subject: 'subject', notifyUrl: 'notify_url', returnUrl: 'return_url',
    expireTime: 'time_expire', payType: 'pay_type', limitPay: 'limit_pay',
    code: 'result_code', message: 'result_msg', qrContent: 'qr_code', cashierUrl: 'cashier_url',
    tradeNo: 'trade_no', status: 'trade_status', paidTime: 'pay_time',
    refundNo: 'out_refund_no', refundAmount: 'refund_amount', refundReason: 'refund_reason', refundStatus: 'refund_status', refundTime: 'refund_time',
    notifyId: 'notify_id', notifyType: 'notify_type', statementDate: 'bill_date', downloadUrl: 'download_url', fileDigest: 'file_sha256',
  },
  amountUnit: 'yuan',
  notifyAck: 'SUCCESS',
  qrOnly: true,
  bankCardOnly: 'always',
};

/**
 * 首信易支付 PayEase (seed 002), as a generic channel: JSON, amounts in fen, the signature field
 * called `hmac`. Names borrow from PayEase's public English API pages (merchantId, requestId,
 * serialNumber, amount in fen, hmac) as far as they were read; the paths, the status words and
 * the signing string are the generic protocol's, not PayEase's.
 */
export const PAYEASE_PROFILE: GenericProfile = {
  code: 'payease',
  name: { zh: '首信易支付', en: 'PayEase' },
  encoding: 'json',
  paths: {
    create: '/api/order/create', query: '/api/order/query', close: '/api/order/close',
    refund: '/api/refund/apply', refundQuery: '/api/refund/query', statement: '/api/bill/apply',
  },
  fields: {
    merchantId: 'merchantId', timestamp: 'timestamp', nonce: 'nonce', signType: 'signType', sign: 'hmac',
    orderNo: 'requestId', amount: 'amount', subject: 'productName', notifyUrl: 'notifyUrl', returnUrl: 'callbackUrl',
    expireTime: 'expireTime', payType: 'payType', limitPay: 'limitPay',
    code: 'code', message: 'message', qrContent: 'qrCode', cashierUrl: 'cashierUrl',
    tradeNo: 'serialNumber', status: 'orderStatus', paidTime: 'completeDateTime',
    refundNo: 'refundRequestId', refundAmount: 'refundAmount', refundReason: 'remark', refundStatus: 'refundStatus', refundTime: 'refundCompleteDateTime',
    notifyId: 'notifyId', notifyType: 'notifyType', statementDate: 'billDate', downloadUrl: 'downloadUrl', fileDigest: 'fileSha256',
  },
  amountUnit: 'fen',
  notifyAck: 'SUCCESS',
  qrOnly: false,
  bankCardOnly: 'when-asked',
};

export const GENERIC_PROFILES: Record<GenericChannelCode, GenericProfile> = { publicpay: PUBLICPAY_PROFILE, payease: PAYEASE_PROFILE };

/** Refuses a profile whose names collide or are empty (a typo would silently drop a field). */
export function checkProfile(p: GenericProfile): void {
  const names = GENERIC_FIELDS.map((f) => p.fields[f]);
  const bad = names.find((n) => !n || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(n));
  if (bad !== undefined) throw new Error(`generic profile ${p.code}: field name ${JSON.stringify(bad)} is not a plain identifier`);
  if (new Set(names).size !== names.length) throw new Error(`generic profile ${p.code}: two fields share one name`);
  for (const op of Object.keys(p.paths) as GenericOperation[]) {
    if (!p.paths[op].startsWith('/')) throw new Error(`generic profile ${p.code}: path of ${op} must start with /`);
  }
}
