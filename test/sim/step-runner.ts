import { JOBS } from '../../src/jobs/schedule.ts';
import type { StaffActor } from '../../src/modules/accounts/authorization.ts';
import { acceptAgreement } from '../../src/modules/billing/accept-agreement.ts';
import { cancelBill } from '../../src/modules/billing/cancel-bill.ts';
import { confirmBill } from '../../src/modules/billing/confirm-bill.ts';
import { checkBillStatus } from '../../src/modules/payments/check-bill-status.ts';
import { startPayment } from '../../src/modules/payments/start-payment.ts';
import { endRegistrationByAuthority } from '../../src/modules/refunds/authority-cancel.ts';
import { chooseSlot } from '../../src/modules/registration/choose-slot.ts';
import { registerSubject } from '../../src/modules/registration/register-subject.ts';
import type { Faults } from '../../src/sandbox/faults.ts';
import type { SandboxChannel } from '../../src/sandbox/order-book.ts';
import { MINUTE } from '../../src/shared/clock.ts';
import { resolveIndex, type ChildWork, type ParentStep, type Step } from './steps.ts';
import type { SimWorld } from './world.ts';

export interface SimBill { id: bigint; billNo: string; candidateId: bigint }

/** Errors a step may raise because of the fault it injected (the database's, or the child's death). */
export const INJECTED = /canceling statement|terminating connection|Connection terminated|child server (exited|is not running)|server closed the connection|ECONNRESET|Client has encountered a connection error/i;

/** What a browser does with a UnionPay payUrl: load our page (the child server's), post its signed form to the gateway. */
async function openUnionpayForm(payUrl: string): Promise<void> {
  const page = await (await fetch(payUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) return;
  const unescape = (v: string) => v.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, unescape(m[2]!));
  await fetch(unescape(action), { method: 'POST', body: fields, redirect: 'manual' });
}

/**
 * Runs steps against one world: the simulation's own actions in-process, the child server's
 * over HTTP and IPC, the payer's and the channel's at the sandbox.
 */
export class StepRunner {
  readonly bills: SimBill[] = [];
  /** Faults per channel order (out_trade_no): what `capture` and `api` steps have set. */
  private readonly faults = new Map<string, Faults>();
  stepErrors = 0;
  readonly w: SimWorld;
  constructor(w: SimWorld) {
    this.w = w;
  }

  /**
   * The bill a step names: among the bills the step can act on (`among`), counting from the
   * newest for a negative reference; any bill when none fits (the step then meets a refusal).
   */
  private async bill(ref: number, among: 'open' | 'paying' | 'ordered' | 'any'): Promise<SimBill | undefined> {
    let pool = this.bills;
    if (among !== 'any' && pool.length) {
      const q = this.w.t.db.selectFrom('bill as b').select('b.id').where('b.id', 'in', this.bills.map((x) => x.id));
      const rows = await (among === 'open' ? q.where('b.state', 'in', ['UNPAID', 'PAYING'])
        : among === 'paying' ? q.where('b.state', '=', 'PAYING')
          : q.where((eb) => eb.exists(eb.selectFrom('payment_attempt as a').select('a.id').whereRef('a.bill_id', '=', 'b.id')))).execute();
      const ids = new Set(rows.map((r) => r.id));
      const fit = pool.filter((x) => ids.has(x.id));
      if (fit.length) pool = fit;
    }
    const i = resolveIndex(ref, pool.length);
    return i === undefined ? undefined : pool[i];
  }

  private candidate(c: number): bigint {
    const ids = this.w.fixture.candidateIds;
    return ids[c % ids.length]!;
  }

  private setFaults(outTradeNo: string, patch: Faults): void {
    const f = { ...this.faults.get(outTradeNo), ...patch };
    this.faults.set(outTradeNo, f);
    this.w.sandbox.setFaults(outTradeNo, f);
  }

  private async attempts(billId: bigint) {
    return this.w.t.db.selectFrom('payment_attempt').select(['out_trade_no', 'channel', 'state']).where('bill_id', '=', billId).orderBy('seq').execute();
  }

  async parent(s: ParentStep): Promise<void> {
    const { ctx, fixture } = this.w;
    switch (s.k) {
      case 'register': {
        const subject = fixture.subjects[s.subject % fixture.subjects.length]!;
        const pool = subject.pools.length ? subject.pools[s.pool % subject.pools.length]! : undefined;
        await registerSubject(ctx, { candidateId: this.candidate(s.c), subjectId: subject.id, ...(pool ? { siteId: pool.siteId, slotId: pool.slotId } : {}) });
        return;
      }
      case 'chooseSlot': {
        const candidateId = this.candidate(s.c);
        // A registration whose seat was released (bill timed out, hold expired) picks a time again.
        const reg = await this.w.t.db.selectFrom('registration as r').select(['r.id', 'r.subject_id'])
          .where('r.candidate_id', '=', candidateId).where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null)
          .where('r.seat_released_reason', 'is not', null).orderBy('r.id').executeTakeFirst();
        if (!reg) return;
        const pools = fixture.subjects.find((x) => x.id === reg.subject_id)?.pools ?? [];
        const pool = pools[s.pool % Math.max(1, pools.length)];
        if (!pool) return;
        await chooseSlot(ctx, { candidateId, registrationId: reg.id, siteId: pool.siteId, slotId: pool.slotId });
        return;
      }
      case 'confirm': {
        // The c-th candidate among those with registrations not on an open bill.
        const regs = await this.w.t.db.selectFrom('registration as r').select(['r.id', 'r.candidate_id'])
          .where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('bill_item as i').innerJoin('bill as b', 'b.id', 'i.bill_id').select('i.id')
            .whereRef('i.registration_id', '=', 'r.id').where('b.state', 'in', ['UNPAID', 'PAYING']))))
          .orderBy('r.id').execute();
        const who = [...new Set(regs.map((r) => r.candidate_id))].sort((a, b) => (a < b ? -1 : 1));
        if (who.length === 0) return;
        const candidateId = who[s.c % who.length]!;
        const mine = regs.filter((r) => r.candidate_id === candidateId);
        const confirmed = await confirmBill(ctx, { candidateId, registrationIds: (s.one ? mine.slice(0, 1) : mine).map((r) => r.id) });
        if (!confirmed.ok) return;
        this.bills.push({ id: confirmed.value.id, billNo: confirmed.value.bill_no, candidateId });
        await acceptAgreement(ctx, { candidateId, billNo: confirmed.value.bill_no });
        return;
      }
      case 'pay': {
        const b = await this.bill(s.b, 'open');
        if (!b) return;
        const started = await startPayment(ctx, { candidateId: b.candidateId, billNo: b.billNo, channel: s.ch, actor: 'candidate:sim' });
        // UnionPay's order exists at the channel once the browser posts our signed form to it.
        if (started.ok && s.ch === 'unionpay') {
          await this.w.child.ready(this.w.clock.now().getTime());
          await openUnionpayForm(started.value.payUrl);
        }
        return;
      }
      case 'refresh': {
        const b = await this.bill(s.b, 'paying');
        if (b) await checkBillStatus(ctx, { billId: b.id, actor: 'candidate:sim', by: 'candidate' });
        return;
      }
      case 'cancel': {
        const b = await this.bill(s.b, 'open');
        if (b) await cancelBill(ctx, { candidateId: b.candidateId, billNo: b.billNo, actor: 'candidate:sim' });
        return;
      }
      case 'authorityCancel': {
        const regs = await this.w.t.db.selectFrom('registration').select('id').where('status', '=', 'ACTIVE').orderBy('id').execute();
        const reg = regs[s.r % Math.max(1, regs.length)];
        if (!reg) return;
        await endRegistrationByAuthority(ctx, { actor: this.staff, registrationId: reg.id, kind: 'CANCEL_REGISTRATION', note: '考点调整，取消报考' });
        return;
      }
      case 'job':
        await JOBS.find((j) => j.id === s.job)!.execute(ctx);
        return;
    }
  }

  private get staff(): StaffActor {
    return { staffId: 1n, role: 'AUTHORITY_ADMIN', authorityId: this.w.fixture.authorityId, institutionId: null };
  }

  async childWork(s: ChildWork): Promise<void> {
    const { child, clock, sandbox } = this.w;
    await child.ready(clock.now().getTime());
    await child.syncClock(clock.now().getTime());
    const armed = child.killArmed;
    try {
      if (s.k === 'deliver') await sandbox.deliverDueNotifications({ reverse: s.reverse });
      else await child.runJob(s.job);
    } finally {
      // Killed by a fault armed earlier: it comes back at once, as a supervisor would bring it.
      if (armed && await child.waitForDeath(s.k === 'deliver' ? 30 : 0)) {
        child.restartInBackground(clock.now().getTime());
      }
    }
  }

  async step(s: Step): Promise<void> {
    const { w } = this;
    switch (s.k) {
      case 'register': case 'chooseSlot': case 'confirm': case 'pay': case 'refresh': case 'cancel': case 'authorityCancel': case 'job':
        return this.parent(s);
      case 'deliver': case 'childJob':
        return this.childWork(s);
      case 'capture': {
        const b = await this.bill(s.b, s.f.captureAfterClose ? 'ordered' : 'paying');
        if (!b) return;
        const attempts = await this.attempts(b.id);
        // Mostly an open order; with captureAfterClose, a closed one may be paid too.
        const payable = s.f.captureAfterClose ? attempts : attempts.filter((a) => a.state === 'OPEN');
        const a = payable[s.o % Math.max(1, payable.length)];
        if (!a) return;
        const { lateNotifyMin, ...rest } = s.f;
        this.setFaults(a.out_trade_no, {
          noNotify: false, duplicateNotify: false, chargeTwice: false, chargeButTimeout: false, captureAfterClose: false, notifyBeforeReturn: false,
          lateNotifyMs: lateNotifyMin === undefined ? 0 : lateNotifyMin * MINUTE, ...rest,
        });
        if (s.f.notifyBeforeReturn) await w.child.syncClock(w.clock.now().getTime());
        await w.sandbox.pay(a.out_trade_no, { channel: a.channel as SandboxChannel });
        return;
      }
      case 'fail': {
        const b = await this.bill(s.b, 'paying');
        if (!b) return;
        const open = (await this.attempts(b.id)).filter((a) => a.state === 'OPEN');
        const a = open[open.length - 1];
        if (a) w.sandbox.fail(a.out_trade_no, { channel: a.channel as SandboxChannel });
        return;
      }
      case 'api': {
        const b = await this.bill(s.b, 'ordered');
        if (!b) return;
        for (const a of await this.attempts(b.id)) this.setFaults(a.out_trade_no, { apiDown: s.down });
        return;
      }
      case 'advance':
        w.clock.advance(s.min * MINUTE);
        return;
      case 'childFault': {
        await w.child.ready(w.clock.now().getTime());
        // Replaces a kill still armed: this step's fault is the one that counts.
        await w.child.arm(s.n, s.kind);
        try {
          await this.childWork(s.then);
        } catch (err) {
          // A job's run cut short by the injected error answers with it; notifications just get a 500.
          if (!INJECTED.test(err instanceof Error ? err.message : String(err))) throw err;
        } finally {
          if (w.child.alive) await w.child.arm(0, 'cancel');
        }
        return;
      }
      case 'race': {
        // Both run to the end; the first error (if any) is the step's.
        const [a, b] = await Promise.allSettled([this.childWork(s.a), this.parent(s.b)]);
        for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
        return;
      }
      case 'dbFault':
        w.dbFaults.arm(s.n, s.kind);
        try {
          await this.parent(s.then);
        } finally {
          // A terminated backend's socket closes just after its error: let the pool see that
          // before the invariants borrow a connection (else one query fails on the dying one —
          // pg-pool's behaviour, a failed request at worst; docs/simulation.md).
          if (!w.dbFaults.disarm() && s.kind === 'terminate') await w.dbFaults.terminated();
        }
        return;
      case 'kill': {
        await w.child.ready(w.clock.now().getTime());
        await w.child.arm(s.n, s.after ? 'kill-after' : 'kill-before');
        // Fewer statements than n: the child lives on, armed, until later work reaches the n-th.
        await this.childWork(s.then);
        return;
      }
    }
  }

  /** Every channel fault off, nothing armed: the world as it is when nothing goes wrong. */
  clearFaults(): void {
    this.w.sandbox.clearFaults();
    this.faults.clear();
    this.w.dbFaults.disarm();
  }
}
