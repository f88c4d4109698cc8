import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { accountExamIds } from '../../../modules/accounts/account-exams.ts';
import { chooseSlot } from '../../../modules/registration/choose-slot.ts';
import { deleteRegistration } from '../../../modules/registration/delete-registration.ts';
import { registerSubject } from '../../../modules/registration/register-subject.ts';
import { registrationOptions } from '../../../modules/registration/registration-options.ts';
import { listCandidateRegistrations } from '../../../modules/registration/registration-queries.ts';
import { payVerdicts } from '../../../modules/registration/pay-verdicts.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import { explainSeatRelease } from '../../../modules/registration/seat-release-explanation.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { Fen, IdString, responses } from '../../schemas.ts';
import { fenJson } from './bill.views.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const SlotChoice = Type.Object({ siteId: IdString, slotId: IdString }, { additionalProperties: false });

/** 报考: what a candidate can register, registering, choosing a slot, deleting (REG-1…7). */
export function registrationRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));

    app.get('/api/v1/sittings', {
      schema: { tags: ['registration'], summary: "The sittings of the candidate's exam (for a 通行证: of every exam of its authority with e-mail accounts)", response: responses(200, Type.Array(Type.Object({ sittingId: IdString, code: Type.String(), name: Type.String() })), [401, 403]) },
    }, async (req) => {
      const rows = await ctx.db.selectFrom('sitting').select(['id', 'code', 'name']).where('exam_id', 'in', accountExamIds(ctx.db, currentCandidate(req).id)).orderBy('id').execute();
      return rows.map((r) => ({ sittingId: String(r.id), code: r.code, name: r.name }));
    });

    app.get('/api/v1/sittings/:sittingId/registration-options', {
      schema: {
        tags: ['registration'], summary: 'Subjects with whether each can be registered now (and the rule if not), sites, slots, free seats, windows',
        params: Type.Object({ sittingId: IdString }),
        response: responses(200, Type.Object({
          sittingId: IdString, name: Type.String(), registrationOpen: Type.Boolean(),
          windows: Type.Array(Type.Object({ kind: Type.String(), siteId: Nullable(IdString), opensAt: Type.String(), closesAt: Type.String() })),
          subjects: Type.Array(Type.Object({
            subjectId: IdString, code: Type.String(), name: Type.String(), kind: Type.String(), feeFen: Fen,
            canRegister: Type.Boolean(), reason: Nullable(Type.String()), relatedSubjectId: Nullable(IdString),
            choices: Type.Array(Type.Object({ siteId: IdString, siteName: Type.String(), slotId: IdString, startsAt: Type.String(), endsAt: Type.String(), capacity: Type.Integer(), free: Type.Integer() })),
          })),
        }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const o = await registrationOptions(ctx.db, { candidateId: currentCandidate(req).id, sittingId: BigInt(req.params.sittingId), now: ctx.clock.now() });
      if (!o) return sendFailure(req, reply, { code: 'NOT_FOUND' });
      return {
        sittingId: String(o.sitting.id), name: o.sitting.name, registrationOpen: o.registrationOpen,
        windows: o.windows.map((w) => ({ kind: w.kind, siteId: w.siteId === null ? null : String(w.siteId), opensAt: formatShanghai(w.opensAt), closesAt: formatShanghai(w.closesAt) })),
        subjects: o.subjects.map((s) => ({
          subjectId: String(s.id), code: s.code, name: s.name, kind: s.kind, feeFen: fenJson(s.fee_fen),
          canRegister: s.verdict.ok, reason: s.verdict.ok ? null : s.verdict.code,
          relatedSubjectId: !s.verdict.ok && s.verdict.subjectId !== undefined ? String(s.verdict.subjectId) : null,
          choices: s.choices.map((c) => ({ siteId: String(c.site_id), siteName: c.site_name, slotId: String(c.slot_id), startsAt: formatShanghai(c.starts_at), endsAt: formatShanghai(c.ends_at), capacity: c.capacity, free: c.free })),
        })),
      };
    });

    app.get('/api/v1/registrations', {
      schema: {
        tags: ['registration'], summary: 'My registrations: fee, seat, whether each can be paid now',
        response: responses(200, Type.Array(Type.Object({
          registrationId: IdString, sittingId: IdString, sittingCode: Type.String(), sittingName: Type.String(), subjectCode: Type.String(), subjectName: Type.String(),
          kind: Type.String(), feeFen: Fen, owner: Type.String(), paid: Type.Boolean(), payable: Type.Boolean(),
          billNo: Nullable(Type.String()), billState: Nullable(Type.String()),
          seat: Nullable(Type.Object({ siteId: IdString, siteName: Type.String(), slotId: IdString, startsAt: Type.String(), seatNo: Type.Integer(), state: Type.String() })),
          seatReleased: Nullable(Type.Object({ reason: Type.String(), zh: Type.String(), en: Type.String() })),
          payBlock: Nullable(Type.Object({
            code: Type.String(), messageZh: Type.String(), messageEn: Type.String(), details: Type.Record(Type.String(), Type.Unknown()),
          }, { description: 'Why this unpaid registration cannot go on a bill now (the confirmation would refuse it so); null when it can' })),
        })), [401, 403]),
      },
    }, async (req) => {
      const candidateId = currentCandidate(req).id;
      const rows = await listCandidateRegistrations(ctx.db, candidateId);
      const blocks = await payVerdicts(ctx.db, { candidateId, now: ctx.clock.now(), registrations: rows.filter((r) => r.payable) });
      return rows.map((r) => ({
        registrationId: String(r.id), sittingId: String(r.sitting_id), sittingCode: r.sitting_code, sittingName: r.sitting_name, subjectCode: r.subject_code, subjectName: r.subject_name,
        kind: r.kind, feeFen: fenJson(r.fee_fen), owner: r.owner, paid: r.paid_at !== null, payable: r.payable,
        // An institution's batch bill is the institution's (REG-8): the candidate sees its state, never its number.
        billNo: r.bill_owner === 'INSTITUTION' ? null : r.bill_no, billState: r.bill_state,
        seat: r.seat_no !== null && r.site_id !== null && r.slot_id !== null
          ? { siteId: String(r.site_id), siteName: r.site_name ?? '', slotId: String(r.slot_id), startsAt: r.slot_starts_at ? formatShanghai(r.slot_starts_at) : '', seatNo: r.seat_no, state: r.seat_state ?? '' }
          : null,
        seatReleased: r.seat_released_reason
          ? explainSeatRelease(r.seat_released_reason, { billTimeoutMinutes: r.bill_timeout_minutes, seatHoldMinutes: r.seat_hold_minutes })
          : null,
        payBlock: blocks.get(r.id) ?? null,
      }));
    });

    app.post('/api/v1/registrations', {
      schema: {
        tags: ['registration'], summary: '报考 a subject (with site and slot where it has seats)',
        body: Type.Object({ subjectId: IdString, siteId: Type.Optional(IdString), slotId: Type.Optional(IdString) }, { additionalProperties: false }),
        response: responses(201, Type.Object({ registrationId: IdString, seat: Nullable(Type.Object({ siteId: IdString, slotId: IdString, seatNo: Type.Integer() })) }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await registerSubject(ctx, {
        candidateId: currentCandidate(req).id, subjectId: BigInt(req.body.subjectId),
        ...(req.body.siteId ? { siteId: BigInt(req.body.siteId) } : {}), ...(req.body.slotId ? { slotId: BigInt(req.body.slotId) } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      const seat = r.value.seat;
      return reply.code(201).send({ registrationId: String(r.value.registrationId), seat: seat ? { siteId: String(seat.siteId), slotId: String(seat.slotId), seatNo: seat.seatNo } : null });
    });

    app.post('/api/v1/registrations/:registrationId/slot', {
      schema: {
        tags: ['registration'], summary: '选择考试时间: hold a seat at another site/slot (after a timeout released it, or to change)',
        params: Type.Object({ registrationId: IdString }), body: SlotChoice,
        response: responses(200, Type.Object({ seatNo: Type.Integer() }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await chooseSlot(ctx, { candidateId: currentCandidate(req).id, registrationId: BigInt(req.params.registrationId), siteId: BigInt(req.body.siteId), slotId: BigInt(req.body.slotId) });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return r.value;
    });

    app.delete('/api/v1/registrations/:registrationId', {
      schema: { tags: ['registration'], summary: 'Delete an unpaid registration (its seat goes back)', params: Type.Object({ registrationId: IdString }), response: responses(204, Type.Null(), [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const r = await deleteRegistration(ctx, { candidateId: currentCandidate(req).id, registrationId: BigInt(req.params.registrationId) });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(204).send(null);
    });
  };
}
