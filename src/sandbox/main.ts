import { createPublicKey } from 'node:crypto';
import { generateRsaKeyPair, pemBody, privateKeyObject, toPublicKeyPem } from '../channels/alipay/rsa-keys.ts';
import { systemClock } from '../shared/clock.ts';
import { buildSandboxApp } from './sandbox.ts';

/**
 * `npm run sandbox`: the sandbox gateway alone, on SANDBOX_PORT (default 4010).
 * Keys from the environment, or generated and printed so an adapter can be pointed at it:
 *   SANDBOX_ALIPAY_PRIVATE_KEY      the sandbox's "Alipay" private key (PEM or base64)
 *   SANDBOX_ALIPAY_APP_ID           demo merchant app id (default 2021000000000001)
 *   SANDBOX_ALIPAY_SELLER_ID        demo merchant seller id (default 2088000000000001)
 *   SANDBOX_ALIPAY_APP_PUBLIC_KEY   the demo merchant's app public key (PEM or base64)
 *   SANDBOX_PUBLIC_URL              how browsers reach it (default http://127.0.0.1:PORT)
 *   SANDBOX_HOST                    listen address (default 127.0.0.1)
 */
const env = process.env;
const port = Number(env.SANDBOX_PORT ?? 4010);
const host = env.SANDBOX_HOST ?? '127.0.0.1';
const publicBaseUrl = env.SANDBOX_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

const alipayPrivateKeyPem = env.SANDBOX_ALIPAY_PRIVATE_KEY ?? generateRsaKeyPair().privateKeyPem;
const alipayPublicKeyPem = createPublicKey(privateKeyObject(alipayPrivateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
const appId = env.SANDBOX_ALIPAY_APP_ID ?? '2021000000000001';
const sellerId = env.SANDBOX_ALIPAY_SELLER_ID ?? '2088000000000001';
const generatedApp = env.SANDBOX_ALIPAY_APP_PUBLIC_KEY ? null : generateRsaKeyPair();
const appPublicKeyPem = env.SANDBOX_ALIPAY_APP_PUBLIC_KEY ?? generatedApp!.publicKeyPem;

const { app, sandbox } = await buildSandboxApp({
  clock: systemClock,
  publicBaseUrl,
  alipay: {
    alipayPrivateKeyPem,
    merchants: [{ appId, sellerId, appPublicKeyPem: toPublicKeyPem(appPublicKeyPem), name: '演示考试院 Demo exam authority' }],
  },
  fastify: { logger: { level: env.LOG_LEVEL ?? 'info' } },
});
sandbox.control.start();
await app.listen({ host, port });

const lines = [
  `ExamPay payment sandbox on ${publicBaseUrl}`,
  `Alipay gateway:        ${publicBaseUrl}/alipay/gateway.do`,
  `Alipay public key:     ${pemBody(alipayPublicKeyPem)}`,
  `Demo merchant app_id:  ${appId}`,
  `Demo merchant seller:  ${sellerId}`,
  generatedApp
    ? `Demo app private key (PKCS#8, generated for this run):\n${generatedApp.privateKeyPem}`
    : 'Demo app key: the public key given in SANDBOX_ALIPAY_APP_PUBLIC_KEY',
];
console.log(lines.join('\n'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
