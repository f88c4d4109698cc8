import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ROLE_LABELS } from '../../../modules/accounts/authorization.ts';
import { createStaffAccount, disableStaffAccount, listStaffAccounts } from '../../../modules/accounts/staff-accounts.ts';
import { loadCandidate, loadInstitution, loadStaff } from '../../../modules/accounts/staff-scope.ts';
import { auditCsv } from '../../../modules/audit/audit-csv.ts';
import { auditXlsx } from '../../../modules/audit/audit-xlsx.ts';
import { queryAuditLog, type AuditQuery } from '../../../modules/audit/audit-log.ts';
import { ok, type Result } from '../../../shared/errors.ts';
import { listInstitutions } from '../../../modules/institutions/institutions.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';
import { Limit } from './staff-read.routes.ts';
import { Label } from './staff-views.ts';

const PREFIX = '/api/v1/admin';
const tags = ['staff'];
const Role = Type.Union([Type.Literal('AUTHORITY_ADMIN'), Type.Literal('FINANCE'), Type.Literal('INSTITUTION_STAFF'), Type.Literal('READ_ONLY')]);
const StaffRow = Type.Object({
  staffId: IdString, loginName: Type.String(), displayName: Type.String(), role: Role, roleLabel: Label,
  institutionId: Type.Union([IdString, Type.Null()]), mustChangePassword: Type.Boolean(), disabledAt: NullableTimestamp, createdAt: Timestamp,
});
const staffRowView = (s: { id: bigint; login_name: string; display_name: string; role: keyof typeof ROLE_LABELS; institution_id: bigint | null; must_change_password: boolean; disabled_at: Date | null; created_at: Date }) => ({
  staffId: String(s.id), loginName: s.login_name, displayName: s.display_name, role: s.role, roleLabel: ROLE_LABELS[s.role],
  institutionId: s.institution_id === null ? null : String(s.institution_id), mustChangePassword: s.must_change_password,
  disabledAt: s.disabled_at ? s.disabled_at.toISOString() : null, createdAt: s.created_at.toISOString(),
});

/** The audit log's search filters (ADM-4), shared by the list and its export. */
const AuditFilters = {
  from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })),
  actorType: Type.Optional(Type.Union([Type.Literal('STAFF'), Type.Literal('CANDIDATE'), Type.Literal('SYSTEM')])), actorId: Type.Optional(IdString),
  action: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', maxLength: 64 })),
  objectType: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'e.g. subject, sitting, seat_pool, registration, refund' })),
  objectId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'The id the entry names (a number, a bill or refund number)' })),
  outcome: Type.Optional(Type.Union([Type.Literal('SUCCESS'), Type.Literal('FAILURE')])),
  beforeId: Type.Optional(IdString),
};
type AuditFilterQuery = Static<ReturnType<typeof Type.Object<typeof AuditFilters>>>;

/** The authority's own: the audit log (ADM-4), staff accounts (ADM-5), institutions. */
export function adminRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  /** The search's filters; an actor named must be in scope (another authority's staff id reads like a missing one). */
  const auditQuery = async (req: FastifyRequest<{ Querystring: AuditFilterQuery }>, limit: number): Promise<Result<AuditQuery>> => {
    const staff = currentStaff(req);
    const q = req.query;
    const actorType = q.actorType ?? (q.actorId ? 'STAFF' : undefined);
    if (q.actorId) {
      const found = actorType === 'CANDIDATE' ? await loadCandidate(ctx.db, staff.actor, 'audit.read', BigInt(q.actorId))
        : actorType === 'STAFF' ? await loadStaff(ctx.db, staff.actor, 'audit.read', BigInt(q.actorId)) : undefined;
      if (found && !found.ok) return found;
    }
    return ok({
      authorityId: staff.actor.authorityId, limit,
      ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}), ...(actorType ? { actorType } : {}),
      ...(q.actorId ? { actorId: BigInt(q.actorId) } : {}), ...(q.action ? { action: q.action } : {}), ...(q.beforeId ? { beforeId: BigInt(q.beforeId) } : {}),
      ...(q.objectType ? { objectType: q.objectType } : {}), ...(q.objectId ? { objectId: q.objectId } : {}), ...(q.outcome ? { outcome: q.outcome } : {}),
    });
  };
  return async (app) => {
    app.get(`${PREFIX}/audit-log`, {
      config: { staffAction: 'audit.read' },
      schema: {
        tags, summary: "The authority's audit log, newest first: filter by time, actor, action, object and outcome; page with beforeId",
        querystring: Type.Object({ ...AuditFilters, limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: responses(200, Type.Array(Type.Object({
          entryId: IdString, at: Timestamp, atShown: Type.String(),
          actor: Type.Object({ type: Type.String(), id: Type.Union([IdString, Type.Null()]), role: Type.Union([Type.String(), Type.Null()]), loginName: Type.Union([Type.String(), Type.Null()]) }),
          action: Type.String(), object: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
          outcome: Type.String(), summary: Type.Record(Type.String(), Type.Unknown()), ip: Type.Union([Type.String(), Type.Null()]),
        })), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const q = await auditQuery(req, Number(req.query.limit ?? 50));
      if (!q.ok) return sendFailure(req, reply, q.error);
      const rows = await queryAuditLog(ctx.db, q.value);
      return rows.map((r) => ({
        entryId: String(r.id), at: r.at.toISOString(), atShown: formatShanghai(r.at),
        actor: { type: r.actor_type, id: r.actor_id === null ? null : String(r.actor_id), role: r.actor_role, loginName: r.actor_login },
        action: r.action, object: r.object_type && r.object_id ? { type: r.object_type, id: r.object_id } : null,
        outcome: r.outcome, summary: r.summary, ip: r.ip,
      }));
    });

    // ADM-4: the same search as a file: CSV (default) or xlsx (format=xlsx, the same columns and cells).
    app.get(`${PREFIX}/audit-log/export`, {
      config: { staffAction: 'audit.read' },
      schema: {
        tags, summary: 'The audit log search as CSV (UTF-8 with BOM) or xlsx (format=xlsx), newest first, at most `limit` entries (default 10000, at most 50000); X-ExamPay-Truncated: true when more matched',
        querystring: Type.Object({
          ...AuditFilters, format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')])),
          limit: Type.Optional(Type.String({ pattern: '^([1-9]\\d{0,3}|[1-4]\\d{4}|50000)$', description: '1–50000, default 10000' })),
        }, { additionalProperties: false }),
        response: responses(200, Type.String({ description: 'text/csv or xlsx' }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const limit = Number(req.query.limit ?? 10_000);
      const q = await auditQuery(req, limit + 1);
      if (!q.ok) return sendFailure(req, reply, q.error);
      const rows = await queryAuditLog(ctx.db, q.value);
      const day = formatShanghai(ctx.clock.now()).slice(0, 10);
      const xlsx = req.query.format === 'xlsx';
      reply.header('content-disposition', `attachment; filename="audit-log-${day}.${xlsx ? 'xlsx' : 'csv'}"`).header('x-exampay-truncated', String(rows.length > limit));
      if (xlsx) return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await auditXlsx(rows.slice(0, limit)));
      return reply.header('content-type', 'text/csv; charset=utf-8').send(auditCsv(rows.slice(0, limit)));
    });

    app.get(`${PREFIX}/staff`, {
      config: { staffAction: 'staff.read' },
      schema: { tags, summary: "The authority's staff accounts", response: responses(200, Type.Array(StaffRow), [401, 403]) },
    }, async (req) => {
      return (await listStaffAccounts(ctx.db, currentStaff(req).actor.authorityId)).map(staffRowView);
    });

    app.post(`${PREFIX}/staff`, {
      config: { staffAction: 'staff.manage' },
      schema: {
        tags, summary: 'Create a staff account; its initial password is shown once and must be changed at first sign-in',
        body: Type.Object({
          loginName: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$' }), displayName: Type.String({ minLength: 1, maxLength: 64 }),
          role: Role, institutionId: Type.Optional(IdString),
        }, { additionalProperties: false }),
        response: responses(201, Type.Intersect([StaffRow, Type.Object({ initialPassword: Type.String() })]), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      let institutionId: bigint | null = null;
      if (req.body.institutionId) {
        const inst = await loadInstitution(ctx.db, staff.actor, 'staff.manage', BigInt(req.body.institutionId));
        if (!inst.ok) return sendFailure(req, reply, inst.error);
        institutionId = inst.value.id;
      }
      const r = await createStaffAccount(ctx, { by: staff.account, loginName: req.body.loginName, displayName: req.body.displayName, role: req.body.role, institutionId, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(201).send({ ...staffRowView(r.value.account), initialPassword: r.value.initialPassword });
    });

    app.post(`${PREFIX}/staff/:staffId/disable`, {
      config: { staffAction: 'staff.manage' },
      schema: { tags, summary: 'Disable a staff account and end its sessions', params: Type.Object({ staffId: IdString }), response: responses(200, StaffRow, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const target = await loadStaff(ctx.db, staff.actor, 'staff.manage', BigInt(req.params.staffId));
      if (!target.ok) return sendFailure(req, reply, target.error);
      const r = await disableStaffAccount(ctx, { by: staff.account, staffId: target.value.id, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return staffRowView(r.value);
    });

    app.get(`${PREFIX}/institutions`, {
      config: { staffAction: 'institution.read' },
      schema: {
        tags, summary: "The authority's learning centres and schools",
        response: responses(200, Type.Array(Type.Object({ institutionId: IdString, code: Type.String(), name: Type.String(), kind: Type.String() })), [401, 403]),
      },
    }, async (req) => {
      const rows = await listInstitutions(ctx.db, currentStaff(req).actor.authorityId);
      return rows.map((i) => ({ institutionId: String(i.id), code: i.code, name: i.name, kind: i.kind }));
    });
  };
}
