import { createTestPayment } from '../create-test-payment.test-kit.ts';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readForm, startUnionpaySandbox, type UnionpayTestSandbox } from '../../sandbox/unionpay/unionpay.test-kit.ts';
import { ManualClock } from '../../shared/clock.ts';
import type { CreatePaymentInput, NotificationResult } from '../channel.ts';
import { UnionpayAdapter, type UnionpayAdapterConfig, type UnionpayAdapterDeps } from './unionpay.adapter.ts';

/**
 * Test rig: the UnionPay adapter against the sandbox over real HTTP, a stand-in for ExamPay's
 * HTTP layer (the form page, the browser-return route, the notify route) and a manual clock
 * shared by all. Not used in production.
 */
export interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
  url: string;
}

export interface UnionpayRig {
  clock: ManualClock;
  sbx: UnionpayTestSandbox;
  adapter: UnionpayAdapter;
  config: UnionpayAdapterConfig;
  /** ExamPay stand-in: `{merchantBase}/notify/unionpay`, `/pay/form/unionpay`, `/pay/return/unionpay`. */
  merchantBase: string;
  notifications: Received[];
  frontReturns: Received[];
  /** How the notify route answers; default 200 `ok` (what notificationAnswer(true) says). */
  answer: (n: Received) => { status: number; body: string };
  adapterWith(changes: Partial<UnionpayAdapterConfig>, deps?: UnionpayAdapterDeps): UnionpayAdapter;
  /** Creates a payment for a fresh bill (100.00 yuan, 30 min). */
  create(changes?: Partial<CreatePaymentInput>): Promise<{ billNo: string; payUrl: string }>;
  /** What the payer's browser does with payUrl: load the form page, let it POST to UnionPay; the cashier URL. */
  open(payUrl: string, via?: UnionpayAdapter): Promise<string>;
  /** Chooses a bank and pays at the cashier; the result page and its "返回商户" link. */
  payAtCashier(cashierUrl: string, bank?: string): Promise<{ html: string; backLink: string | null }>;
  /** Follows "返回商户": the signed front notify the browser POSTs to frontUrl. */
  goBack(backLink: string): Promise<Response>;
  parsed(): NotificationResult[];
  close(): Promise<void>;
}

export async function startUnionpayRig(opts: { timeoutMs?: number; merchantCount?: number; apiHangMs?: number } = {}): Promise<UnionpayRig> {
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  const sbx = await startUnionpaySandbox({ clock, merchantCount: opts.merchantCount, apiHangMs: opts.apiHangMs });
  const m = sbx.merchants[0]!;
  let forPages: UnionpayAdapter | null = null;
  const notifications: Received[] = [];
  const frontReturns: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: Received = { body: Buffer.concat(chunks), headers: req.headers, url: req.url ?? '' };
      if (req.method === 'GET' && got.url.startsWith('/pay/form/unionpay')) {
        const page = forPages!.frontFormPage(got.url);
        res.writeHead(page.status, { 'content-type': page.contentType }).end(page.body);
      } else if (req.method === 'POST' && got.url.startsWith('/pay/return/unionpay')) {
        frontReturns.push(got);
        res.writeHead(303, { location: '/' }).end();
      } else if (req.method === 'POST' && got.url.startsWith('/notify/unionpay')) {
        notifications.push(got);
        const { status, body } = rig.answer(got);
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const merchantBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: UnionpayAdapterConfig = {
    merId: m.merId,
    signingKeyPem: m.keyPem,
    signingCertPem: m.certPem,
    rootCertPem: sbx.pki.root.certPem,
    middleCertPem: sbx.pki.middle.certPem,
    baseUrl: sbx.gatewayBase,
    formPageUrl: `${merchantBase}/pay/form/unionpay`,
    refundNotifyUrl: `${merchantBase}/notify/unionpay`,
    timeoutMs: opts.timeoutMs ?? 3_000,
  };
  const adapter = new UnionpayAdapter(config, { clock });
  forPages = adapter;
  const rig: UnionpayRig = {
    clock, sbx, adapter, config, merchantBase, notifications, frontReturns,
    answer: () => ({ status: 200, body: 'ok' }),
    adapterWith: (changes, deps = {}) => new UnionpayAdapter({ ...config, ...changes }, { clock, ...deps }),
    create: (changes = {}) => createTestPayment(adapter, clock, { subject: '2026年3月 网络教育统考 — 大学英语B', notifyUrl: `${merchantBase}/notify/unionpay`, returnUrl: (billNo) => `${merchantBase}/pay/return/unionpay?bill=${billNo}` }, changes),
    async open(payUrl, via) {
      // The stand-in's form page renders with the rig's adapter; another merchant's renders its own.
      const page = via ? via.frontFormPage(new URL(payUrl).search) : await fetch(payUrl).then(async (r) => ({ status: r.status, body: await r.text() }));
      if (page.status !== 200) throw new Error(`form page: HTTP ${page.status}`);
      const { action, fields } = readForm(page.body);
      const res = await fetch(action, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 303 || !location) throw new Error(`frontTransReq: HTTP ${res.status} ${await res.text()}`);
      return new URL(location, action).toString();
    },
    async payAtCashier(cashierUrl, bank = 'ICBC') {
      const res = await fetch(`${cashierUrl}/pay`, { method: 'POST', body: new URLSearchParams({ bank }) });
      const html = await res.text();
      const link = /<a href="([^"]+)">返回商户/.exec(html);
      return { html, backLink: link ? link[1]!.replaceAll('&amp;', '&') : null };
    },
    async goBack(backLink) {
      const { action, fields } = readForm(await (await fetch(backLink)).text());
      return fetch(action, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    },
    parsed: () => notifications.map((n) => adapter.parseNotification({ body: n.body, headers: n.headers })),
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      await sbx.close();
    },
  };
  return rig;
}
