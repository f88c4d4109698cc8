/**
 * Every error a client can see: a stable code, the HTTP status that fits, and the message in
 * Chinese and English (OPS-5). Expected failures travel as `Failure` values (STYLE 7); the HTTP
 * layer turns them into `{ error: { code, message, messageZh, messageEn, details } }`.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: [400, '请求内容不正确，请检查后重试。', 'The request is not valid; check it and try again.'],
  MALFORMED_BODY: [400, '请求内容无法解析。', 'The request body could not be parsed.'],
  UNSUPPORTED_MEDIA_TYPE: [415, '不支持的请求格式。', 'This content type is not supported.'],
  NOT_FOUND: [404, '没有找到您要的内容。', 'Nothing was found here.'],
  METHOD_NOT_ALLOWED: [405, '不支持此操作。', 'This method is not allowed here.'],
  PAYLOAD_TOO_LARGE: [413, '请求内容过大。', 'The request is too large.'],
  RATE_LIMITED: [429, '操作过于频繁，请稍后再试。', 'Too many requests; try again later.'],
  INTERNAL_ERROR: [500, '系统出现错误，我们已记录，请稍后重试。', 'Something went wrong on our side; it has been logged. Please try again.'],
  DATABASE_UNAVAILABLE: [503, '系统暂时无法处理，请稍后重试。', 'The service is temporarily unavailable; please try again.'],

  NOT_SIGNED_IN: [401, '请先登录。', 'Please sign in first.'],
  SESSION_EXPIRED: [401, '登录已过期，请重新登录。', 'Your session has expired; please sign in again.'],
  BAD_CREDENTIALS: [401, '证件号码或密码不正确。', 'The ID number or password is incorrect.'],
  PASSWORD_CHANGE_REQUIRED: [403, '首次登录请先修改初始密码。', 'Please change your initial password before continuing.'],
  PASSWORD_POLICY: [400, '新密码不符合要求。', 'The new password does not meet the requirements.'],
  CAPTCHA_INVALID: [400, '图片验证码不正确或已使用，请刷新验证码后重新输入。', 'The captcha answer is wrong or the captcha was already used; get a new one and try again.'],
  CAPTCHA_EXPIRED: [400, '图片验证码已过期，请刷新验证码后重新输入。', 'The captcha has expired; get a new one and try again.'],
  PAYER_NOT_FOUND: [404, '没有找到与所填姓名和证件号码（或缴费码）相符的考生，请核对后重试。', 'No candidate matches that name and ID number (or payment code); check them and try again.'],
  CSRF_REJECTED: [403, '请求来源无法确认，请刷新页面后重试。', 'The request origin could not be confirmed; reload the page and try again.'],

  REGISTRATION_NOT_PAYABLE: [409, '所选科目中有不能缴费的科目。', 'Some of the chosen subjects cannot be paid.'],
  REGISTRATION_ALREADY_BILLED: [409, '所选科目已在缴费中或已完成缴费，不能再次确认。', 'A chosen subject is already on an open or paid bill.'],
  BILL_NOT_FOUND: [404, '没有找到该缴费单。', 'No such bill.'],
  AGREEMENT_REQUIRED: [409, '请先阅读并同意缴费协议。', 'Please read and accept the payment agreement first.'],
  BILL_ALREADY_PAID: [409, '该缴费单已完成缴费，无需再次缴费。', 'This bill is already paid; there is nothing more to pay.'],
  BILL_CLOSED: [409, '该缴费单已关闭，请重新确认科目生成新的缴费单。', 'This bill is closed; confirm your subjects again to get a new bill.'],
  BILL_STATE_CONFLICT: [409, '缴费单状态已变化，请刷新后查看。', 'The bill changed state; refresh to see it.'],
  CHANNEL_NOT_OFFERED: [400, '本考试不支持该支付方式。', 'This exam does not offer that payment channel.'],
  CHANNEL_UNAVAILABLE: [502, '支付渠道暂时无法连接，请稍后再试或换一种支付方式；您的缴费单不受影响。', 'The payment channel could not be reached; try again later or use another channel. Your bill is unaffected.'],
  BILL_PAYING_CANNOT_CANCEL: [409, '缴费单正在缴费中，不能取消：可能已经扣款。请点击“确认缴费状态”，或等待渠道返回结果。', 'This bill is being paid and cannot be cancelled: money may already have been taken. Press "Confirm payment status" or wait for the channel.'],
  WINDOW_CLOSED: [409, '当前不在办理时间内，请在开放时间内办理。', 'This is outside the window for it; see the times it is open.'],
  SUBJECT_NOT_FOUND: [404, '没有找到该科目。', 'No such subject.'],
  NOT_ELIGIBLE: [403, '您没有报考该科目的资格。', 'You are not eligible for this subject.'],
  SUBJECT_ALREADY_PASSED: [409, '该科目已通过，不能重复报考。', 'You have already passed this subject.'],
  SUBJECT_EXEMPT: [409, '该科目已免考，无需报考。', 'You are exempt from this subject.'],
  SUBJECT_ALREADY_REGISTERED: [409, '该科目已报考，不能重复报考。', 'You have already registered for this subject.'],
  EXCLUSIVE_SUBJECT_CONFLICT: [409, '该科目与您已报考或已通过的科目互斥，不能同时报考。', 'This subject excludes one you have registered for or passed.'],
  WRITTEN_BEFORE_ORAL: [409, '请先报考并缴清对应的笔试科目，再报考或缴费口试科目。', 'Register (and pay) the written subject before its oral subject.'],
  REVIEW_REQUIRED: [409, '报考该科目需先通过资格复核。', 'This subject needs an approved eligibility review first.'],
  CET4_TICKET_NOT_FOUND: [404, '没有找到该四级准考证号的成绩。', 'No CET4 result has that ticket number.'],
  CET4_SCORE_TOO_LOW: [409, '四级成绩未达到报考六级的分数要求。', 'The CET4 score is below what CET6 requires.'],
  CET4_IDENTITY_MISMATCH: [409, '该四级成绩的证件号码和姓名均与您的学籍信息不符，无法提交复核。', 'Neither the ID number nor the name on that CET4 result matches your record; the review cannot be filed.'],
  REVIEW_ALREADY_FILED: [409, '您已提交资格复核，请等待结果。', 'You have already filed a review; wait for its outcome.'],
  REVIEW_NOT_OFFERED: [404, '本考次无需资格复核。', 'This sitting has no eligibility review.'],
  REVIEW_NOT_PENDING: [409, '该复核申请已处理。', 'This review has already been decided.'],
  AUDIT_NOT_PASSED: [409, '资格审核通过后才能缴费。', 'You can pay once your qualification audit has passed.'],
  SLOT_REQUIRED: [400, '请选择考点和考试时间。', 'Choose a site and a time slot.'],
  SEAT_RELEASED: [409, '缴费超时，已分配的座位已释放，请重新选择考试时间后再缴费。', 'Payment timed out and the seat was released; choose a time slot again, then pay.'],
  REGISTRATION_NOT_FOUND: [404, '没有找到该报考记录。', 'No such registration.'],
  SEAT_UNAVAILABLE: [409, '该考点该时间的座位已满，请选择其他考点或时间。', 'No seats are left at that site and time; choose another.'],
  CAPACITY_BELOW_TAKEN: [409, '容量不能低于已占用（已预留或已售出）的座位数。', 'Capacity cannot go below the seats already held or sold.'],
  TOO_MANY_ATTEMPTS: [409, '该缴费单发起支付次数过多，请重新生成缴费单。', 'Too many payment attempts on this bill; create a new bill.'],

  // Staff, roles and scopes (ADM-5), institution registrations (REG-8)
  STAFF_BAD_CREDENTIALS: [401, '登录名或密码不正确。', 'The login name or password is incorrect.'],
  STAFF_WRONG_CONSOLE: [403, '该账号不能在此登录：考试机构人员请使用考试机构管理端，学习中心/学校人员请使用机构端。', 'This account signs in elsewhere: authority staff use the authority console, institution staff the institution console.'],
  STAFF_FORBIDDEN: [403, '您的角色无权进行此操作。', 'Your role does not allow this action.'],
  STAFF_NOT_FOUND: [404, '没有找到该工作人员账号。', 'No such staff account.'],
  STAFF_LOGIN_TAKEN: [409, '该登录名已被使用。', 'That login name is already taken.'],
  STAFF_CANNOT_DISABLE_SELF: [409, '不能停用自己的账号。', 'You cannot disable your own account.'],
  CANDIDATE_NOT_FOUND: [404, '没有找到该考生。', 'No such candidate.'],
  INSTITUTION_NOT_FOUND: [404, '没有找到该学习中心/学校。', 'No such institution.'],
  REVIEW_NOT_FOUND: [404, '没有找到该资格复核申请。', 'No such eligibility review.'],
  REGISTRATION_OWNED_BY_CANDIDATE: [409, '该科目由考生本人报考，机构不能删除或代缴；请考生本人删除后，再由机构重新报考。', 'The candidate registered this subject personally: the institution cannot delete or pay it. The candidate deletes it first; then the institution registers it.'],

  // Refunds (REF-1 … REF-4, docs/refunds.md)
  PERSONAL_REFUND_NOT_ALLOWED: [409, '本考试缴费成功后，因个人原因申请退费的，一律不予退费。', 'This exam gives no refunds for personal reasons once paid.'],
  REASON_REQUIRED: [400, '请填写原因（2至500字），该原因会告知考生。', 'Give the reason (2 to 500 characters); the candidate will be told it.'],
  REGISTRATION_ENDED: [409, '该报考已取消，不能再次取消或变更。', 'This registration has already ended; it cannot be cancelled or changed again.'],
  REFUND_EXCEEDS_PAID: [409, '退费金额超过该科目已缴且尚未退还的金额。', 'The refund is more than what was paid for this item and not yet refunded.'],
  REGISTRATION_NOT_PAID: [409, '该报考尚未缴费，无需退费。', 'This registration is not paid; there is nothing to refund.'],
  SUBJECT_CANCELLED: [409, '该科目或考次已被考试机构取消，不能报考或缴费。', 'The authority has cancelled this subject or sitting; it cannot be registered or paid.'],
  SITTING_NOT_FOUND: [404, '没有找到该考次或科目。', 'No such sitting or subject.'],
  ALREADY_CANCELLED: [409, '该考次或科目已经取消。', 'This sitting or subject has already been cancelled.'],
  REPAYMENT_APPROVAL_REQUIRED: [409, '该科目已退费，需经考区同意后才能重新报考缴费。', 'This subject was refunded; registering and paying again needs the authority\'s approval first.'],
  REPAYMENT_NOT_AWAITING: [409, '该报考不是已退费的报考，无需审批重新缴费。', 'This registration was not refunded; there is no re-payment to approve.'],
  REFUND_NOT_FOUND: [404, '没有找到该退费记录。', 'No such refund.'],
  REFUND_NOT_FAILED: [409, '只有失败的退费才能重新发起。', 'Only a failed refund can be sent again.'],

  RECONCILIATION_DAY_INVALID: [400, '对账日期格式不正确，应为 YYYY-MM-DD。', 'The reconciliation day must be a date written YYYY-MM-DD.'],
  RECONCILIATION_DAY_NOT_OVER: [409, '该日尚未结束，渠道还没有当日对账单。', 'That day is not over yet; the channel has no statement for it.'],
  RECONCILIATION_CHANNEL_UNKNOWN: [404, '没有配置该支付渠道。', 'No such payment channel is configured.'],
  RECONCILIATION_RUNNING: [409, '该渠道该日的对账正在进行，请稍后查看结果。', 'Reconciliation of that channel and day is running; look at its result shortly.'],
  MISMATCH_NOT_FOUND: [404, '没有找到该对账差异。', 'No such reconciliation mismatch.'],
  MISMATCH_ALREADY_RESOLVED: [409, '该对账差异已处理。', 'This reconciliation mismatch has already been resolved.'],
  RESOLUTION_NOTE_REQUIRED: [400, '请填写处理说明（1–500 字）。', 'Write a note of 1–500 characters saying how it was resolved.'],
  // Issue "Accounts and security" (ACC-1, ACC-3, ACC-7). {name} is filled from the failure's details.
  ID_NUMBER_FORMAT: [400, '证件号码格式不正确，应为：{formatZh}。', 'The ID number is not in the right format; it should be: {formatEn}.'],
  ID_NUMBER_15_DIGITS: [400, '15位第一代身份证号码已停止使用，请输入18位居民身份证号码。', 'First-generation 15-digit ID numbers are no longer valid; enter your 18-character resident ID number.'],
  ID_NUMBER_REGION: [400, '证件号码前6位不是有效的地区代码，请核对。', 'The first 6 digits of the ID number are not a valid region code; check them.'],
  ID_NUMBER_BIRTH_DATE: [400, '身份证号码第7–14位的出生日期不正确（不是真实日期、晚于今天或早于120年前），请核对。', 'The birth date in the ID number (characters 7–14) is wrong: not a real date, after today, or more than 120 years ago. Check it.'],
  ID_NUMBER_CHECK_DIGIT: [400, '身份证号码最后一位校验码与前17位不符，请逐位核对（最后一位可能是X）。', 'The last character of the ID number (its check character) does not match the first 17; check every digit (the last may be X).'],
  ID_NUMBER_WRONG_TYPE: [400, '该号码不是{expectedZh}号码，请核对证件类型。', 'This is not a number of a {expectedEn}; check the document type.'],
  ACCOUNT_LOCKED: [429, '登录失败次数过多，账号已暂时锁定，请于北京时间 {lockedUntilShanghai}（{retryAfterSeconds} 秒后）再试。', 'Too many failed sign-ins: the account is locked for now. Try again at {lockedUntilShanghai} Beijing time (in {retryAfterSeconds} seconds).'],
  SIGN_IN_THROTTLED: [429, '您所在网络的登录失败次数过多，请于北京时间 {lockedUntilShanghai}（{retryAfterSeconds} 秒后）再试。', 'Too many failed sign-ins from your network. Try again at {lockedUntilShanghai} Beijing time (in {retryAfterSeconds} seconds).'],
  EXAM_NOT_FOUND: [404, '没有找到该考试。', 'No such exam.'],
  // E-mail accounts (通行证), mailed links, account recovery (ACC-1, ACC-5, ACC-6).
  BAD_EMAIL_CREDENTIALS: [401, '邮箱或密码不正确。', 'The e-mail address or password is incorrect.'],
  EMAIL_ACCOUNTS_NOT_OFFERED: [404, '该考试机构没有使用通行证（邮箱账号）的考试，请用证件号码登录。', 'This authority has no exam with e-mail accounts; sign in with your ID number.'],
  EMAIL_INVALID: [400, '邮箱地址格式不正确。', 'That is not a valid e-mail address.'],
  EMAIL_NOT_VERIFIED: [403, '请先验证邮箱：打开注册后收到的验证邮件中的链接，验证后才能报考科目。', 'Verify your e-mail address first (open the link in the mail you received); then you can register for subjects.'],
  EMAIL_ALREADY_VERIFIED: [409, '邮箱已验证，无需再次验证。', 'Your e-mail address is already verified.'],
  NO_EMAIL_TO_VERIFY: [409, '没有待验证的邮箱，请先填写联系邮箱。', 'There is no address to verify; set a contact address first.'],
  EMAIL_IS_LOGIN: [409, '通行证的邮箱就是登录账号，不能在这里修改。', 'An e-mail account signs in with its address; the address cannot be changed here.'],
  VERIFY_LINK_INVALID: [400, '验证链接无效或已使用，请登录后重新发送验证邮件。', 'This verification link is not valid or was already used; sign in and send a new one.'],
  VERIFY_LINK_EXPIRED: [410, '验证链接已过期，请登录后重新发送验证邮件。', 'This verification link has expired; sign in and send a new one.'],
  RESET_LINK_INVALID: [400, '重置链接无效、已使用或已被新的链接取代，请重新申请“忘记密码”。', 'This reset link is not valid, was already used, or was replaced by a newer one; ask for a new one with "Forgot password".'],
  RESET_LINK_EXPIRED: [410, '重置链接已过期（30分钟内有效），请重新申请“忘记密码”。', 'This reset link has expired (links last 30 minutes); ask for a new one with "Forgot password".'],
  // The authority's configuration console (ADM-1): exams, sittings and everything in them.
  CONFIGURATION_INVALID: [422, '考试配置有误，共 {count} 处，请按所列位置和原因修改后重试。', 'The configuration has {count} problem(s); fix each listed path and try again.'],
  CONFIG_CODE_TAKEN: [409, '代码 {code} 已被使用，请换一个代码。', 'The code {code} is already used here; choose another.'],
  CONFIG_IN_USE: [409, '已有报考记录或其他数据使用该项，不能删除。', 'Registrations or other records use this; it cannot be deleted.'],
  SUBJECT_FEE_LOCKED: [409, '该科目已有考生生成缴费单或已缴费，不能修改费用。', 'Candidates have this subject on a bill or have paid for it; its fee cannot change.'],
  WINDOW_NOT_FOUND: [404, '没有找到该时间窗口。', 'No such window.'],
  SITE_NOT_FOUND: [404, '没有找到该考点。', 'No such site.'],
  SLOT_NOT_FOUND: [404, '没有找到该考试时间（场次）。', 'No such time slot.'],
  SEAT_POOL_NOT_FOUND: [404, '没有找到该考点、场次和科目的容量设置。', 'No such capacity (site × slot × subject).'],
  // Documents: receipts and admission tickets (DOC-1, DOC-2, docs/documents.md).
  RECEIPT_NOT_FOUND: [404, '没有找到该电子缴费凭证，请核对二维码或网址是否完整。', 'No receipt has this verification code; check that the QR code or address is complete.'],
  RECEIPT_NOT_AVAILABLE: [409, '该缴费单尚未缴费成功，暂无电子缴费凭证。', 'This bill has not been paid, so it has no receipt.'],
  ADMISSION_TICKETS_NOT_OFFERED: [404, '本考次的准考证不在本系统打印，请留意考试机构的通知。', 'Admission tickets for this sitting are not printed here; watch for the authority\'s notice.'],
  ADMISSION_TICKET_NOT_FOUND: [404, '没有可打印的准考证：只有已缴费的科目才有准考证（笔试、口试分别打印）。', 'There is no admission ticket to print: only paid subjects have one (written and oral are printed separately).'],
  QUICK_PRINT_NOT_FOUND: [404, '没有找到与所填姓名和证件信息相符的可打印准考证，请核对后重试。', 'No printable admission ticket matches that name and ID document; check them and try again.'],
  // Waiting room for the opening minute (OPS-1, docs/waiting-room.md). {name} from the details.
  WAITING_ROOM_QUEUED: [503, '当前报名人数较多，您已进入排队：您排在第 {position} 位，预计等待约 {estimatedWaitSeconds} 秒。轮到您时页面会自动继续，请不要关闭或刷新页面。', 'Many candidates are registering right now, so you are in the queue: number {position}, about {estimatedWaitSeconds} seconds to wait. The page carries on by itself when it is your turn; do not close or reload it.'],
  WAITING_ROOM_BUSY: [503, '已轮到您，正在为您安排处理，请稍候，页面会自动重试。', 'It is your turn; your request is about to be handled. Please wait, the page retries by itself.'],
  WAITING_ROOM_TICKET_INVALID: [400, '排队凭证无效（不是本站签发，或不属于当前登录），请重新进入排队。', 'This queue ticket is not valid (not issued by us, or not issued to this sign-in); join the queue again.'],
  WAITING_ROOM_TICKET_USED: [409, '该排队凭证已经使用过，不能再次使用。', 'This queue ticket has already been used; it admits only once.'],
  WAITING_ROOM_TICKET_EXPIRED: [410, '排队凭证已过期，请重新进入排队。', 'This queue ticket has expired; join the queue again.'],
  // Imports and exports (ADM-2, docs/imports-exports.md)
  IMPORT_NOT_FOUND: [404, '没有找到该导入任务。', 'No such import.'],
  IMPORT_FILE_TYPE: [415, '只能导入 .xlsx 或 .csv 文件（CSV 请用 UTF-8 或 GBK 编码）。', 'Only .xlsx and .csv files can be imported (CSV in UTF-8 or GBK).'],
  IMPORT_FILE_EMPTY: [400, '上传的文件是空的。', 'The uploaded file is empty.'],
  IMPORT_FILE_TOO_LARGE: [413, '文件过大：一次最多导入 {maxMb} MB。', 'The file is too large: at most {maxMb} MB per import.'],
  // {kind} from the details, with `needs` (examId, sittingId or none): what each kind goes into (ADM-2, migration 030).
  IMPORT_TARGET_INVALID: [400, '导入对象不符：考生名单须选考试（examId），学籍/报考资格和资格审核结果须选考次（sittingId），CET4 成绩两者都不选。本次导入类型为 {kind}。', 'The import target does not fit the kind: a roster goes into an exam (examId), student records and audit results into a sitting (sittingId), CET4 results into neither. This import is {kind}.'],
  IMPORT_NO_ERROR_SHEET: [409, '该导入没有错误表：只有因错误未导入的文件才有错误表。', 'This import has no error sheet: only a file rejected for errors has one.'],
  // An institution's registration file (issue 8 item 6, ORG-1): rejected whole; {errorCount} from the details.
  IMPORT_ROWS_REJECTED: [422, '文件中有 {errorCount} 处错误，没有登记任何报考。请下载错误表，改正后重新上传整个文件。', 'The file has {errorCount} errors, so nothing was registered. Download the error sheet, correct the file and upload all of it again.'],
  EXPORT_BAD_RANGE: [400, '日期范围不正确：开始日期不能晚于结束日期，且最长一年。', 'The date range is wrong: the start cannot be after the end, and it spans at most a year.'],
  // Candidates' appeals (ORG-2, seed 000: 关联申诉, 报考科目申诉; docs/appeals.md).
  SUBJECT_APPEAL_PENDING: [409, '暂不能报考：您对该科目提交的报考科目申诉尚未处理，请等待学习中心处理后再报考。', 'Not yet: your appeal about this subject has not been decided; register it once your institution has decided it.'],
  APPEAL_NOT_FOUND: [404, '没有找到该申诉。', 'No such appeal.'],
  APPEAL_ALREADY_PENDING: [409, '您已提交过该申诉，正在等待处理，请勿重复提交。', 'You already have a pending appeal about this; wait for its decision.'],
  APPEAL_NOT_PENDING: [409, '该申诉已处理或已撤回，不能再更改。', 'This appeal has already been decided or withdrawn; it cannot change any more.'],
  APPEAL_REASON_REQUIRED: [400, '不予受理的申诉必须填写原因，原因会告知考生。', 'Rejecting an appeal needs a reason; the candidate is shown it.'],
  APPEAL_EMAIL_IN_USE: [409, '申诉中填写的邮箱已是本机构其他通行证的登录邮箱，不能用于恢复该账号，请不予受理并请考生换一个邮箱重新申诉。', "The appeal's address is already another account's login here, so it cannot take this record back; reject it and ask the candidate to appeal again with another address."],
} as const satisfies Record<string, readonly [number, string, string]>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface Failure {
  code: ErrorCode;
  /** Extra facts for the client, e.g. which registration or which field. Never secrets. */
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, details?: Record<string, unknown>): Result<T> =>
  ({ ok: false, error: details ? { code, details } : { code } });

/** Thrown where a Failure cannot be returned (deep in a transaction); the HTTP layer maps it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, details?: Record<string, unknown>) {
    super(ERROR_CATALOGUE[code][2]);
    this.code = code;
    this.details = details;
  }
}

/** Status and messages of a code; `{name}` in a message is filled from the failure's details. */
export function describeError(code: ErrorCode, details?: Record<string, unknown>): { status: number; messageZh: string; messageEn: string } {
  const [status, messageZh, messageEn] = ERROR_CATALOGUE[code];
  const fill = (s: string) => (details ? s.replace(/\{(\w+)\}/g, (m, k: string) => (details[k] === undefined ? m : String(details[k]))) : s);
  return { status, messageZh: fill(messageZh), messageEn: fill(messageEn) };
}
