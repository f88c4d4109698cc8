import type { StaffRole } from '../../db/schema.ts';

/**
 * Who of the staff may do what to which object (ADM-5): the one place that decides it. Pure —
 * no I/O — so the whole table is tested exhaustively (authorization.test.ts). Routes declare
 * the action they perform; scoped loaders (staff-scope.ts) fetch objects only through
 * `authorize`, so a handler cannot hold an object its caller may not see.
 *
 * Two different refusals, in this order:
 * - the role lacks the action → 403 (STAFF_FORBIDDEN): the same answer for every id, so it
 *   reveals nothing about any object;
 * - the object is outside the actor's scope → 404, exactly as if it did not exist.
 */

export const STAFF_ROLES = ['AUTHORITY_ADMIN', 'FINANCE', 'INSTITUTION_STAFF', 'READ_ONLY'] as const satisfies readonly StaffRole[];

/** Every action a staff route can perform, and whether it changes anything. */
export const STAFF_ACTIONS = {
  'candidate.read': { changes: false, zh: '查看考生', en: 'View candidates' },
  'registration.read': { changes: false, zh: '查看报考记录', en: 'View registrations' },
  'registration.create': { changes: true, zh: '为本机构考生报考（机构报考）', en: "Register the institution's candidates (institution registrations)" },
  'registration.delete': { changes: true, zh: '删除本机构未缴费的机构报考', en: "Delete the institution's unpaid registrations" },
  'bill.read': { changes: false, zh: '查看缴费单、支付、退费及记账', en: 'View bills, payments, refunds and ledger lines' },
  'bill.pay': { changes: true, zh: '为本机构报考集体缴费（生成缴费单、支付、确认缴费状态、关闭）', en: "Pay the institution's registrations in one bill (create, pay, confirm status, close)" },
  'review.read': { changes: false, zh: '查看资格复核', en: 'View eligibility reviews' },
  'review.decide': { changes: true, zh: '处理资格复核（通过/不通过）', en: 'Decide eligibility reviews (approve / reject)' },
  'institution.read': { changes: false, zh: '查看学习中心/学校', en: 'View institutions' },
  'staff.read': { changes: false, zh: '查看工作人员账号', en: 'View staff accounts' },
  'staff.manage': { changes: true, zh: '创建、停用工作人员账号', en: 'Create and disable staff accounts' },
  'audit.read': { changes: false, zh: '查看审计日志', en: 'Read the audit log' },
  'exam.configure': { changes: true, zh: '配置考试、考次、窗口、科目、渠道', en: 'Configure exams, sittings, windows, subjects, channels' },
  'exam.read': { changes: false, zh: '查看考试配置、导出考次数据文件', en: "View the exams' configuration and export a sitting as a data file" },
  // Refunds (REF-1 … REF-4, docs/refunds.md). `money`: a change that only moves money already
  // decided to be owed or asked for by the candidate — the only changes FINANCE makes.
  'refund.read': { changes: false, zh: '查看退费及汇总', en: 'View refunds and their totals' },
  'refund.personal': { changes: true, money: true, zh: '因考生个人原因退费（按考试的退费政策）', en: "Refund a candidate for personal reasons (by the exam's refund policy)" },
  'refund.retry': { changes: true, money: true, zh: '重新发起渠道拒绝的退费', en: 'Send a refund the channel refused once more' },
  'registration.cancel': { changes: true, zh: '考试机构取消或变更报考（自动退费并通知考生）', en: 'Cancel or change a registration for the authority (refunded and told automatically)' },
  'sitting.cancel': { changes: true, zh: '取消考次或科目（自动退费并通知考生）', en: 'Cancel a sitting or a subject (refunded and told automatically)' },
  'decision.read': { changes: false, zh: '查看考试机构的取消、变更、退费决定及其进度', en: "View the authority's cancellations, changes and refunds, and their progress" },
  'repayment.read': { changes: false, zh: '查看待审批的退费后重新缴费', en: 'View re-payments after a refund awaiting approval' },
  'repayment.decide': { changes: true, zh: '审批退费后重新缴费（经考区同意）', en: 'Approve or refuse paying again after a refund' },
  // Operations (ADM-3, PAY-4, PAY-10): what the console's dashboards and work queues do.
  'dashboard.read': { changes: false, zh: '查看统计概览', en: 'View the dashboards' },
  'bill.query': { changes: true, money: true, zh: '向渠道查询缴费中的订单（立即确认缴费状态）', en: 'Ask the channel about a bill in 缴费中 now' },
  'reconciliation.read': { changes: false, zh: '查看对账结果及差异', en: 'View reconciliation results and mismatches' },
  'reconciliation.resolve': { changes: true, money: true, zh: '处理对账差异（记录处理说明）', en: 'Resolve a reconciliation mismatch (with a note of what was done)' },
  // Imports and exports (ADM-2, docs/imports-exports.md).
  'import.run': { changes: true, zh: '导入考生名单、学籍及报考资格', en: 'Import rosters, student records and eligibility' },
  'import.read': { changes: false, zh: '查看导入进度及错误表', en: 'View imports, their progress and error sheets' },
  'export.read': { changes: false, zh: '导出报考、缴费单、支付、退费及对账结果（证件号码脱敏）', en: 'Export registrations, bills, payments, refunds and reconciliation results (ID numbers masked)' },
  // Candidates' appeals (ORG-2, seed 000: 关联申诉, 报考科目申诉; docs/appeals.md).
  'appeal.read': { changes: false, zh: '查看考生申诉（关联申诉、报考科目申诉）', en: "View candidates' appeals (record link, wrong subject)" },
  'appeal.decide': { changes: true, zh: '处理考生申诉（受理/不予受理）', en: "Decide candidates' appeals (accept / reject)" },
} as const satisfies Record<string, { changes: boolean; money?: boolean; zh: string; en: string }>;
export type StaffAction = keyof typeof STAFF_ACTIONS;
export const ALL_STAFF_ACTIONS = Object.keys(STAFF_ACTIONS) as StaffAction[];

/**
 * The permission table. FINANCE sees money (bills, payments, refunds) and handles it (personal
 * refunds, retries) but configures and decides nothing else; READ_ONLY changes nothing;
 * INSTITUTION_STAFF act only inside their institution (see `authorize`). The authority's own
 * decisions (cancelling registrations, sittings, subjects; re-payment approval, REF-2/REF-3) are
 * its administrators'.
 */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly StaffAction[]> = {
  AUTHORITY_ADMIN: ['candidate.read', 'registration.read', 'bill.read', 'review.read', 'review.decide', 'institution.read', 'staff.read', 'staff.manage', 'audit.read', 'exam.configure', 'exam.read',
    'refund.read', 'refund.personal', 'refund.retry', 'registration.cancel', 'sitting.cancel', 'decision.read', 'repayment.read', 'repayment.decide',
    'dashboard.read', 'bill.query', 'reconciliation.read', 'reconciliation.resolve', 'import.run', 'import.read', 'export.read',
    'appeal.read', 'appeal.decide'],
  FINANCE: ['candidate.read', 'registration.read', 'bill.read', 'institution.read', 'refund.read', 'refund.personal', 'refund.retry', 'decision.read',
    'dashboard.read', 'bill.query', 'reconciliation.read', 'reconciliation.resolve', 'export.read'],
  INSTITUTION_STAFF: ['candidate.read', 'registration.read', 'registration.create', 'registration.delete', 'bill.read', 'bill.pay', 'review.read', 'review.decide', 'institution.read',
    'export.read', 'appeal.read', 'appeal.decide'],
  READ_ONLY: ['candidate.read', 'registration.read', 'bill.read', 'review.read', 'institution.read', 'staff.read', 'refund.read', 'decision.read', 'repayment.read', 'dashboard.read', 'reconciliation.read',
    'import.read', 'export.read', 'appeal.read'],
};

export const ROLE_LABELS: Record<StaffRole, { zh: string; en: string }> = {
  AUTHORITY_ADMIN: { zh: '考试机构管理员', en: 'Authority administrator' },
  FINANCE: { zh: '财务人员', en: 'Finance' },
  INSTITUTION_STAFF: { zh: '学习中心/学校工作人员', en: 'Institution staff' },
  READ_ONLY: { zh: '只读用户', en: 'Read-only' },
};

/** Which API a role uses: /api/v1/admin (the authority's) or /api/v1/institution. */
export type StaffSurface = 'admin' | 'institution';
export function surfaceOf(role: StaffRole): StaffSurface {
  return role === 'INSTITUTION_STAFF' ? 'institution' : 'admin';
}

export interface StaffActor {
  staffId: bigint;
  role: StaffRole;
  authorityId: bigint;
  /** Set exactly for INSTITUTION_STAFF. */
  institutionId: bigint | null;
}

/** Where an object lives: its authority, and the institution whose candidate it concerns (if any). */
export interface ResourceScope {
  authorityId: bigint;
  institutionId: bigint | null;
  /** The authority's reference data (sittings, subjects): every staff member of the authority sees it. */
  shared?: boolean;
}

export type Decision = { allowed: true } | { allowed: false; reason: 'ROLE' | 'SCOPE' };

export function roleMay(role: StaffRole, action: StaffAction): boolean {
  return ROLE_PERMISSIONS[role].includes(action);
}

/** actor × action × the object's scope → allowed, or why not. */
export function authorize(actor: StaffActor, action: StaffAction, scope: ResourceScope): Decision {
  if (!roleMay(actor.role, action)) return { allowed: false, reason: 'ROLE' };
  if (scope.authorityId !== actor.authorityId) return { allowed: false, reason: 'SCOPE' };
  if (actor.role === 'INSTITUTION_STAFF' && !scope.shared && (actor.institutionId === null || scope.institutionId !== actor.institutionId)) {
    return { allowed: false, reason: 'SCOPE' };
  }
  return { allowed: true };
}

/**
 * The same scope as a filter, for lists (search, queues, the audit log): the actor's authority,
 * narrowed to its institution for INSTITUTION_STAFF. `institutionId: null` = the whole authority.
 */
export function listScope(actor: StaffActor): ResourceScope {
  return { authorityId: actor.authorityId, institutionId: actor.role === 'INSTITUTION_STAFF' ? actor.institutionId ?? -1n : null };
}

/** The actor as transition logs, refund rows and authority decisions write it ('staff:42'). */
export function staffLabel(actor: Pick<StaffActor, 'staffId'>): string {
  return `staff:${actor.staffId}`;
}
