import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { latestMail } from '../../../modules/mail/outbox.ts';
import { formatShanghai } from '../../../shared/time.ts';
import type { RouteDeps } from '../../route-deps.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
const linkify = (s: string) => esc(s).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`);

/**
 * The development mail page: with no SMTP_URL, mail stays in the outbox and is read here, so
 * `npm start` alone can walk sign-up, verification and password reset. Registered only outside
 * production and live mode (config.mail.devPage): it shows working single-use links.
 */
export function devMailRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/dev/mail', { schema: { hide: true } }, async (_req, reply) => {
      const messages = await latestMail(ctx.db);
      const items = messages.map((m) => `<article><h2>${esc(m.subject)}</h2>
<p class="meta">#${m.id} · ${esc(m.kind)} · 收件人 To: ${esc(m.to_address)} · ${formatShanghai(m.created_at)} · ${m.state}${m.sent_at ? ' · sent' : ''}</p>
<pre>${m.body_text ? linkify(m.body_text) : '(正文已在发送后删除 body erased after sending)'}</pre></article>`).join('\n');
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>开发邮箱 Development mail</title>
<style>body{font-family:system-ui,"Noto Sans SC",sans-serif;max-width:800px;margin:0 auto;padding:16px;background:#f5f6f8}article{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0}
h2{font-size:16px;margin:0 0 4px}.meta{color:#646a73;font-size:13px}pre{white-space:pre-wrap;word-break:break-all;font-family:inherit}</style></head>
<body><h1>开发邮箱 Development mail</h1>
<p class="meta">未设置 SMTP_URL：邮件保存在数据库的发件箱中，在此查看（生产环境和 live 模式下没有此页面）。No SMTP_URL is set: mail is kept in the outbox and shown here (never in production or live mode). Newest first.</p>
${items || '<p>还没有邮件。No mail yet.</p>'}
</body></html>`);
    });
  };
}
