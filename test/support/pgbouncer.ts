import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SESSION_TIMEOUTS } from '../../src/db/database.ts';
import { freePort } from './free-port.ts';

/**
 * A real PgBouncer (Debian's `pgbouncer`) on 127.0.0.1 in transaction mode, in front of the
 * tests' PostgreSQL — configured as docs/scaling.md tells production to: the timeouts ExamPay
 * sends as start-up parameters on a direct connection are set by the pooler's connect_query.
 */
export interface PgBouncer {
  /** `target` with host and port swapped for the pooler's. */
  urlFor(target: string): string;
  /** The admin console's SHOW <what>, rows as objects. */
  show(what: 'STATS' | 'POOLS' | 'CONFIG'): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

function findBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    const p = path.join(dir, 'pgbouncer');
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error('pgbouncer is not installed: this test runs ExamPay through a real PgBouncer. Install it with `apt-get install -y pgbouncer` (Debian/Ubuntu; .ci/run does) and run the test again.');
}

export async function startPgBouncer(target: string): Promise<PgBouncer> {
  const binary = findBinary();
  const t = new URL(target);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-pgbouncer-'));
  const port = await freePort();
  const user = decodeURIComponent(t.username);
  const password = decodeURIComponent(t.password);
  const connectQuery = `SET statement_timeout = ${SESSION_TIMEOUTS.statement_timeout}; SET idle_in_transaction_session_timeout = ${SESSION_TIMEOUTS.idle_in_transaction_session_timeout}`;
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${t.hostname} port=${t.port} password=${password} connect_query='${connectQuery}'`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    // Only this test's processes on the loopback reach it.
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'users.txt')}`,
    `admin_users = ${user}`,
    'pool_mode = transaction',
    'max_client_conn = 1000',
    'default_pool_size = 20',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'users.txt'), `"${user}" "${password}"\n`);
  // PgBouncer refuses to run as root: as root, it runs as the postgres user (-u), which must own its folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    fs.chmodSync(dir, 0o755);
    const owner = userIds('postgres');
    if (!owner) throw new Error('running as root and there is no postgres user for PgBouncer to run as');
    for (const f of ['', 'pgbouncer.ini', 'users.txt']) fs.chownSync(path.join(dir, f), owner.uid, owner.gid);
  }
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const log = () => `${output}${fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : ''}`;
  const urlFor = (u: string) => {
    const x = new URL(u);
    x.hostname = '127.0.0.1';
    x.port = String(port);
    return x.toString();
  };
  const admin = urlFor(new URL('/pgbouncer', target).toString());
  const show = async (what: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      return (await c.query(`SHOW ${what}`)).rows as Record<string, string>[];
    } finally {
      await c.end();
    }
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited at start:\n${log()}`);
    if (await show('CONFIG').then(() => true, () => false)) break;
    if (i > 100) throw new Error(`pgbouncer did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    urlFor, show,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
