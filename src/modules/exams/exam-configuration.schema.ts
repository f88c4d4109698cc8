import { Type, type Static } from 'typebox';

/**
 * One exam authority's exam as data (ADM-1): what the five seed systems differ in. The same
 * file shape is what the console will export and import (issue "Staff consoles").
 *
 * Times in a configuration are written relative to when it is loaded, as ISO-8601 durations
 * from that moment ("P-1D", "PT2H", "P10DT9H") — so a demo or a test always finds its windows
 * where the file says, whatever the date — or as absolute Beijing times ("2026-03-15 09:00:00").
 */
export const Code = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
export const When = Type.String({ pattern: '^(P-?(\\d+D)?(T(\\d+H)?(\\d+M)?)?|\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})$', description: 'ISO-8601 duration from load time (P-1D, PT9H) or a Beijing time (yyyy-MM-dd HH:mm:ss)' });
export const Fen = Type.Integer({ minimum: 0, maximum: 100_000_000 });
const PasswordPolicy = Type.Object({
  minLength: Type.Integer({ minimum: 6, maximum: 64 }),
  maxLength: Type.Union([Type.Integer({ minimum: 6, maximum: 64 }), Type.Null()], { description: 'null: no maximum of the exam\'s own (64 still applies)' }),
  requiredClasses: Type.Array(Type.Union([Type.Literal('LETTER'), Type.Literal('LOWER'), Type.Literal('UPPER'), Type.Literal('DIGIT'), Type.Literal('SPECIAL')]), { uniqueItems: true }),
  specialCharacters: Type.String({ pattern: '^[!-/:-@\\[-`{-~]*$', description: 'The only non-alphanumeric characters allowed (ASCII punctuation)' }),
}, { additionalProperties: false, description: 'ACC-3. Always, whatever is set here: not the initial password, nothing of the ID number, not a common password' });
const Channel = Type.Union([Type.Literal('alipay'), Type.Literal('wechatpay'), Type.Literal('unionpay'), Type.Literal('publicpay'), Type.Literal('payease')]);

/** The exam's own settings (the file's `exam`; the console's exam form). */
export const ExamSettings = Type.Object({
  code: Code,
  name: Type.String({ minLength: 1 }),
  accountStyle: Type.Union([Type.Literal('ID_DOCUMENT'), Type.Literal('EMAIL')]),
  initialPassword: Type.Union([
    Type.Object({ rule: Type.Literal('ID_LAST6') }),
    Type.Object({ rule: Type.Literal('FIXED'), password: Type.String({ minLength: 6, maxLength: 32 }) }),
  ]),
  billTimeoutMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  channels: Type.Array(Channel, { minItems: 1, uniqueItems: true }),
  /** ORG-1 (seed 000 集体缴费): channels an institution may pay its batch bills through. Absent: the same as `channels`. */
  institutionChannels: Type.Optional(Type.Array(Channel, { minItems: 1, uniqueItems: true })),
  bankCardOnly: Type.Boolean(),
  agreementText: Type.String(),
  releaseSeatsOnBillExpiry: Type.Boolean(),
  /** PAY-6 (seed 003): pay by name + ID number or payment code without signing in. Default off. */
  payWithoutSignIn: Type.Optional(Type.Boolean()),
  /** REG-6: a seat held by a registration not on an open bill goes back after this long. Default 1440 (24 h). */
  seatHoldMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 43200 })),
  rosterRestricted: Type.Boolean(),
  auditRequired: Type.Boolean(),
  unpaidRegistrationTtlHours: Type.Union([Type.Integer({ minimum: 1, maximum: 720 }), Type.Null()]),
  cet6ReviewThreshold: Type.Union([Type.Integer({ minimum: 0, maximum: 710 }), Type.Null()]),
  refundPolicy: Type.Union([Type.Literal('NO_PERSONAL_REFUNDS'), Type.Literal('STAFF_DECIDES')]),
  /** REF-3 (seed 004 经考区同意): after a refund, registering and paying again needs the authority's approval. Default false. */
  repaymentNeedsApproval: Type.Optional(Type.Boolean()),
  /** Absent: the platform default (8–16, letters and digits). */
  passwordPolicy: Type.Optional(PasswordPolicy),
}, { additionalProperties: false });
export type ExamSettings = Static<typeof ExamSettings>;
/** A dated window of a sitting (REG-1); `site` only for SITE_MANAGEMENT. */
export const SittingWindowConfig = Type.Object({
  kind: Type.Union([Type.Literal('REGISTRATION'), Type.Literal('PAYMENT'), Type.Literal('SITE_MANAGEMENT'), Type.Literal('PRINT')]),
  site: Type.Optional(Code),
  opens: When,
  closes: When,
}, { additionalProperties: false });
export type SittingWindowConfig = Static<typeof SittingWindowConfig>;
export const SubjectConfig = Type.Object({
  code: Code,
  name: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('WRITTEN'), Type.Literal('ORAL')]),
  feeFen: Fen,
  writtenSubject: Type.Optional(Code),
  exclusionGroup: Type.Optional(Type.String({ minLength: 1 })),
  requiresReview: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type SubjectConfig = Static<typeof SubjectConfig>;
export const SiteConfig = Type.Object({ code: Code, name: Type.String({ minLength: 1 }) }, { additionalProperties: false });
export type SiteConfig = Static<typeof SiteConfig>;
export const SlotConfig = Type.Object({ code: Code, starts: When, ends: When }, { additionalProperties: false });
export type SlotConfig = Static<typeof SlotConfig>;
/** Seats per site × slot × subject (REG-6). */
export const CapacityConfig = Type.Object({ site: Code, slot: Code, subject: Code, seats: Type.Integer({ minimum: 0, maximum: 100_000 }) }, { additionalProperties: false });
export type CapacityConfig = Static<typeof CapacityConfig>;

/** A sitting with everything in it (the file's `sitting`): what the console exports and imports. */
export const SittingConfig = Type.Object({
  code: Code,
  name: Type.String({ minLength: 1 }),
  windows: Type.Array(SittingWindowConfig),
  subjects: Type.Array(SubjectConfig, { minItems: 1 }),
  sites: Type.Array(SiteConfig),
  slots: Type.Array(SlotConfig),
  capacity: Type.Array(CapacityConfig),
}, { additionalProperties: false });
export type SittingConfig = Static<typeof SittingConfig>;

export const ExamConfiguration = Type.Object({
  $schema: Type.Optional(Type.String()),
  seed: Type.String({ description: 'Which seed manual this configuration reproduces' }),
  authority: Type.Object({ code: Code, name: Type.String({ minLength: 1 }) }),
  exam: ExamSettings,
  sitting: SittingConfig,
  /** 学习中心 (seed 000) and 学校 (seed 002): their staff see and register only their own candidates (REG-8, ORG-2). */
  institutions: Type.Optional(Type.Array(Type.Object({
    code: Code,
    name: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('LEARNING_CENTRE'), Type.Literal('SCHOOL')]),
  }, { additionalProperties: false }))),
  candidates: Type.Array(Type.Object({
    idNumber: Type.String({ minLength: 5, maxLength: 32 }),
    /** Code of the candidate's institution, if any. */
    institution: Type.Optional(Code),
    idType: Type.Optional(Type.Union([Type.Literal('RESIDENT_ID'), Type.Literal('PASSPORT'), Type.Literal('HK_MACAO_PERMIT'), Type.Literal('TAIWAN_PERMIT'), Type.Literal('HMT_RESIDENCE_PERMIT')])),
    name: Type.String({ minLength: 1 }),
    /** Mobile phone the candidate checks before paying (seed 001); stored sealed (OPS-6). */
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,22}$' })),
    /** Roster / student-record facts per subject code. */
    standing: Type.Optional(Type.Record(Code, Type.Union([Type.Literal('ELIGIBLE'), Type.Literal('PASSED'), Type.Literal('EXEMPT')]))),
    auditStatus: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('PASSED'), Type.Literal('REJECTED')])),
  }, { additionalProperties: false })),
  cet4Scores: Type.Optional(Type.Array(Type.Object({ ticketNo: Type.String({ pattern: '^[0-9]{15}$' }), idNumber: Type.String(), name: Type.String(), score: Type.Integer({ minimum: 0, maximum: 710 }) }, { additionalProperties: false }))),
}, { additionalProperties: false });

export type ExamConfiguration = Static<typeof ExamConfiguration>;
