import os from 'node:os';
import { ConfigError, loadConfig } from '../config.ts';
import { createDb } from '../db/database.ts';
import { embeddedDatabaseUrl } from '../db/embedded.ts';
import { formatReport, reconciliationReport } from '../modules/reconciliation/reconciliation-report.ts';
import { requestRerun } from '../modules/reconciliation/reconciliation-runs.ts';
import { beijingDayOf, isBeijingDay } from '../shared/beijing-day.ts';
import { systemClock } from '../shared/clock.ts';

/**
 * `npm run reconcile -- <YYYY-MM-DD> [channel …] [--wait=seconds]`: staff re-run a day's
 * reconciliation (PAY-10). The day is queued in the database for the running ExamPay's job runner
 * (whichever process; JOBS_ENABLED), so it talks to the channels with that process's keys — and,
 * in sandbox mode, to its sandbox. Waits for the result and prints the report; exit code 0 when
 * every run is DONE. Without channels: every channel ExamPay ever sent an order to.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const waitArg = args.find((a) => a.startsWith('--wait='));
  const waitSeconds = waitArg ? Number(waitArg.slice('--wait='.length)) : 180;
  const [day, ...channelArgs] = args.filter((a) => !a.startsWith('--'));
  const today = beijingDayOf(systemClock.now());
  if (!day || !isBeijingDay(day) || day >= today || !Number.isFinite(waitSeconds)) {
    console.error('用法 usage: npm run reconcile -- <YYYY-MM-DD, a Beijing day before today> [channel …] [--wait=seconds]');
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const { db } = createDb(config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPgPort), { poolSize: 2 });
  try {
    const channels = channelArgs.length > 0
      ? channelArgs
      : (await db.selectFrom('payment_attempt').select('channel').distinct().execute()).map((r) => r.channel);
    if (channels.length === 0) {
      console.log('没有任何渠道订单，无需对账 no channel was ever sent an order: nothing to reconcile');
      return 0;
    }
    const actor = `staff:cli:${os.userInfo().username}`;
    for (const channel of channels) await requestRerun(db, { channel, day, actor, now: systemClock.now() });
    console.log(`已排队 queued ${channels.join(', ')} ${day}; 等待运行中的 ExamPay 处理 waiting for the running ExamPay to reconcile…`);
    const deadline = Date.now() + waitSeconds * 1000;
    let pending = channels;
    while (pending.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      const runs = await db.selectFrom('reconciliation_run').select(['channel', 'status']).where('day', '=', day).where('channel', 'in', pending).execute();
      pending = pending.filter((c) => !runs.some((r) => r.channel === c && (r.status === 'DONE' || r.status === 'FAILED')));
    }
    let allDone = true;
    for (const channel of channels) {
      const report = await reconciliationReport(db, { channel, day });
      console.log(formatReport(channel, day, report));
      if (report.run?.status !== 'DONE') allDone = false;
    }
    if (pending.length > 0) console.log(`仍在等待 still waiting for ${pending.join(', ')}: is ExamPay running with JOBS_ENABLED? The job will finish it.`);
    return allDone ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error('reconcile failed:', err);
  process.exit(1);
});
