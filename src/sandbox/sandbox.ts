import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import { createAlipayDialect, type AlipaySandboxOptions } from './alipay/alipay-dialect.ts';
import { createUnionpayDialect, type UnionpaySandboxOptions } from './unionpay/unionpay-dialect.ts';
import { createWechatpayDialect, type WechatpaySandboxOptions } from './wechatpay/wechatpay-dialect.ts';
import { PAYEASE_PROFILE, PUBLICPAY_PROFILE } from '../channels/generic/generic-profile.ts';
import { createGenericDialect, type GenericSandboxOptions } from './generic/generic-dialect.ts';
import { NotifyDispatcher, type DispatcherLogger } from './notify-dispatcher.ts';
import { createControl, type SandboxControl } from './sandbox-control.ts';
import { SandboxCore } from './sandbox-core.ts';
import { escapeHtml, htmlPage, useFormBodies } from './sandbox-html.ts';

/**
 * The sandbox payment gateway: a stand-in for the payment channels that speaks their real wire
 * protocols, so adapters built on official SDKs are tested for real, here, without the internet.
 * State lives in memory (it simulates someone else's system). Every "now" comes from `clock`.
 */
export interface SandboxOptions {
  clock: Clock;
  /**
   * How payers and merchants reach the sandbox, e.g. `http://127.0.0.1:3000/sandbox`. A function
   * when it is known only after listening (port 0); it is read whenever a URL is made.
   */
  publicBaseUrl: string | (() => string);
  alipay: AlipaySandboxOptions;
  /** Speak UnionPay's ACP gateway protocol too (certificates minted by unionpay-pki.ts). */
  unionpay?: UnionpaySandboxOptions;
  /** Speak WeChat Pay APIv3 too. */
  wechatpay?: WechatpaySandboxOptions;
  /** Speak the generic channel protocol as the public payment platform (seed 001) and as PayEase (seed 002). */
  publicpay?: GenericSandboxOptions;
  payease?: GenericSandboxOptions;
  logger?: DispatcherLogger;
  /** Used to send notifications; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** How long one notification attempt may take (real time). Default 5 s. */
  notifyTimeoutMs?: number;
  /** How long a hanging API call is held (real time) unless the caller gives up first. Default 60 s. */
  apiHangMs?: number;
}

export interface Sandbox {
  control: SandboxControl;
  /**
   * All routes (`/alipay/gateway.do`, `/alipay/cashier/:token`, ...). Register it under the
   * prefix that matches the path of `publicBaseUrl`, e.g. `app.register(s.plugin, { prefix: '/sandbox' })`.
   * Closing the host app stops the background timer and releases hanging requests.
   */
  plugin: FastifyPluginAsync;
  /** The path part of a string `publicBaseUrl` ('' for a root URL or a function): where to register `plugin`. */
  prefix: string;
  /** Stops the timer and releases hanging requests (also done when the host app closes). */
  close(): Promise<void>;
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  // Bound late: the WeChat dialect wraps the sender to add its signed callback headers.
  const notifyFetch = { current: opts.fetch ?? fetch };
  const dispatcher = new NotifyDispatcher({
    clock: opts.clock, fetch: (input, init) => notifyFetch.current(input, init), timeoutMs: opts.notifyTimeoutMs, logger: opts.logger,
  });
  const core = new SandboxCore({ clock: opts.clock, dispatcher });
  const { publicBaseUrl } = opts;
  const baseUrl = typeof publicBaseUrl === 'string' ? () => publicBaseUrl : publicBaseUrl;
  const alipay = createAlipayDialect(core, opts.alipay, {
    baseUrl,
    apiHangMs: opts.apiHangMs ?? 60_000,
  });
  const unionpay = opts.unionpay && createUnionpayDialect(core, opts.unionpay, { baseUrl, apiHangMs: opts.apiHangMs ?? 60_000 });
  const wechatpay = opts.wechatpay && createWechatpayDialect(core, opts.wechatpay, { baseUrl, apiHangMs: opts.apiHangMs ?? 60_000 });
  const generic = [
    opts.publicpay && createGenericDialect(core, PUBLICPAY_PROFILE, opts.publicpay, { baseUrl, apiHangMs: opts.apiHangMs ?? 60_000 }),
    opts.payease && createGenericDialect(core, PAYEASE_PROFILE, opts.payease, { baseUrl, apiHangMs: opts.apiHangMs ?? 60_000 }),
  ];
  if (wechatpay) notifyFetch.current = wechatpay.notifyFetch(opts.fetch ?? fetch);
  const control = createControl(core);
  const close = async (): Promise<void> => {
    core.hangs.releaseAll();
    await control.stop();
  };

  const plugin: FastifyPluginAsync = async (app) => {
    useFormBodies(app);
    alipay.registerRoutes(app);
    unionpay?.registerRoutes(app);
    wechatpay?.registerRoutes(app);
    for (const g of generic) g?.registerRoutes(app);
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(htmlPage('ExamPay payment sandbox', `
<div class="card"><h2>支付沙箱 Payment sandbox</h2>
<p>Alipay gateway: <code>${escapeHtml(alipay.context.baseUrl())}/alipay/gateway.do</code></p>
<p>Merchants: ${[...alipay.context.merchants.keys()].map(escapeHtml).join(', ')}</p>
${generic.map((g) => g && `<p>${escapeHtml(g.context.profile.name.zh)} ${escapeHtml(g.context.profile.name.en)} (generic channel): <code>${escapeHtml(g.context.baseUrl())}/${g.context.profile.code}</code></p>`).filter(Boolean).join('\n')}</div>`)));
    // Before the server waits for open requests, so a hanging call cannot hold up shutdown.
    app.addHook('preClose', async () => core.hangs.releaseAll());
    app.addHook('onClose', async () => close());
  };

  const prefix = typeof publicBaseUrl === 'string' ? new URL(publicBaseUrl).pathname.replace(/\/+$/, '') : '';
  return { control, plugin, prefix, close };
}

/** The sandbox as an app of its own (`npm run sandbox`, tests): the plugin under its prefix. */
export async function buildSandboxApp(
  opts: SandboxOptions & { fastify?: FastifyServerOptions; prefix?: string },
): Promise<{ app: FastifyInstance; sandbox: Sandbox }> {
  const app = Fastify({ forceCloseConnections: true, ...opts.fastify });
  const sandbox = await createSandbox({ ...opts, logger: opts.logger ?? app.log });
  await app.register(sandbox.plugin, { prefix: opts.prefix ?? sandbox.prefix });
  return { app, sandbox };
}
