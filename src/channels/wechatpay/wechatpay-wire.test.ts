import { createCipheriv, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt, aesGcmEncrypt, authorizationHeader, formatRfc3339, parseAuthorization, parseRfc3339,
  requestMessage, responseMessage, rsaSign, rsaVerify,
} from './wechatpay-wire.ts';

/**
 * The official signing walk-through ("请求参数里带Body参数，如何计算签名", pay.weixin.qq.com/docs/partner/
 * development/generate-request-signature-verification/request-body-parameters-signature.html and
 * /doc/v3/merchant/4012365336) publishes a TEST merchant key (mchid 1900007291, serial
 * 408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB), a JSAPI order body and the signature one must get.
 * The key and signature below are those published values (PKCS#1 v1.5 signing is deterministic,
 * so an exact match pins the message format, the hash and the encoding at once).
 */
const OFFICIAL_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCm2mb6q8gMKH/3
CNTbpJAIrbqiBiQGEOtjGcBrDYltsGynWgNscqT7WvfzU14FQbYcQUC5T4Wvva7m
i3fIp3OgX8VqMDNA0qebnr38Pe6kqiLyZgFpJPXlSKDyPyqhRbVTbXssvSMQeVKc
dXeVxoNNeoOlNFHgF/P0io6AmAVnz+hN8SiZKuOsth5/zUTLGvtkgxBcQooQrtXh
RcpLT798OyIb9xeJ2HO3xRtMv2+perEzb4gMibI74UBz+2QEbnkubPE+2jU2rRZu
dnNEz/BPOt3Qj/w2V6/G0VumGDh6+UeMU0jv4aupHztWITC4Akn0l7lBCNy3lgl8
VFaJnkIxAgMBAAECggEAYGL8aESB7NwciDWW2UdoWUsa7GxFtSdjAz2mFXGdeTsY
mVh7b9OOkRGM+Qio4LqEHDBp1mMk5E/cUJwy1zw8pGGO5nfvs7u9TT3XnHaefIs4
YvUgTYAneIuLRkXNN5rQU+CD7mVYczTSz0Vgjqo9wa1LjUz7G0xbBmJgTdMEFGJs
eJjy6AbJo0CGIwp6HJbTm4CmOUgXnnDAIbEGTIRImkZFH/rzneIeR7oZ77FVwxr1
CZB2gfRCov/yRPbw8vnryYkmvQ7D/ze3j5097vRg/MoDGBSdoOwcmo75vyofr0AS
zytMjmHYyifqkf5slPropSiJeGf4p/7gtKyF6dE/XQKBgQDVAlJ+4U5ZVGOuDc3+
sAhz8CTzgFNlq9vKuSoFK6hOz2L+cwj+E7NXGkOe2DsHHZNy2Xqxk7caKhPEp1z9
hhpMpyLVMoFt6CKemyoRBWDCQwLLwem9SZF/IAyovBkLiH36P42Jm26gUkNMKC/5
Zhtqxf6RZgRQzbVudJi47vIRCwKBgQDIh0+v27Oo+DM3fhObH4I1NrXpWOEGH7OQ
G1dEsMuFYF4hjGhg0kBEP3w9vVdl2+mRllZKTsx9oqjb8OibPLLIH8xsdbAB0WLf
JvjLu4wl/ILUzN1RI03dWnnv2EnEeQn6c3hizvrJ9wR5U4ue9RPVnQooJ0hZF1PU
uCL5fWK3MwKBgElReU/PAYbh80WP3t3Rfbdaa32dKBeQ5iCLR5lsA4zM+YgX1HqQ
EWTj126vgvHaDkyz6vWAoL/Sx+cirHFfXWIRDX5Q2hgYlQH+6qXdMgbrxeSYpHnQ
/tHBGFpkFELSAnrGsVMyOwvYBO4LzyeLK9i+ufcWJFoj1FVmsMLHDG8tAoGARdbi
iQQCoYG4DMarO2aQ6cmhN6EN1h0qY7EyBqlwaIZ0okiNfdMcMOjPc41DKCWcRmlO
qlihXcxN9TQFPzO3rH1urAOdBjUPs1qWYhZyrDQyuLyVBBJApyxAtajloDjrob+f
mQIvVDHk7ACN6xG+E7K6+9salnTKbJapD618uQMCgYBNy6XUvzLkP/A1U/UZdtcx
l8GwU/dturLxz4CyGbqDw4ubaYY2e13lnqHUqQgPtiSyH51nq3tdo8G0YAJdfkSv
KvnfslW91fyEBUKnkdW1o3/1UFU/wprZ7ixVL/F42A4xDu7OFE8EnweJOZ0jWceE
OdhCkaIGBCfRnlECRK8UyQ==
-----END PRIVATE KEY-----
`;
const OFFICIAL_BODY = '{"appid":"wxd678efh567hg6787","mchid":"1900007291","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}';
const OFFICIAL_SIGNATURE = 'jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1OQBbKYhFGvt7iqYpDSTQkp7Uq1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9f/BnjXAOP3/sPObg6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe5kwoDpw4Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdUtoE0liJGW3RGUNE0t4v01A==';

describe('request signature: the official walk-through vector', () => {
  const message = requestMessage({
    method: 'POST', url: '/v3/pay/transactions/jsapi', timestamp: '1554208460', nonce: '593BEC0C930BF1AFEB40B4A08C8FB242', body: OFFICIAL_BODY,
  });
  const key = createPrivateKey(OFFICIAL_TEST_KEY);

  it('five lines, each ending in \\n, the last one too', () => {
    expect(message).toBe(`POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${OFFICIAL_BODY}\n`);
    expect(requestMessage({ method: 'GET', url: '/v3/certificates', timestamp: '1554208460', nonce: 'N', body: '' }))
      .toBe('GET\n/v3/certificates\n1554208460\nN\n\n');
  });

  it('our signer produces exactly the published signature', () => {
    expect(rsaSign(message, key)).toBe(OFFICIAL_SIGNATURE);
    // ...and not for the message without its final newline, nor with the body re-serialised.
    expect(rsaSign(message.slice(0, -1), key)).not.toBe(OFFICIAL_SIGNATURE);
    expect(rsaSign(message.replace(OFFICIAL_BODY, JSON.stringify(JSON.parse(OFFICIAL_BODY), null, 1)), key)).not.toBe(OFFICIAL_SIGNATURE);
    expect(rsaVerify(message, OFFICIAL_SIGNATURE, createPublicKey(key))).toBe(true);
  });

  it('the Authorization header round-trips; malformed ones are refused', () => {
    const parts = { mchid: '1900007291', nonce_str: 'N1', signature: OFFICIAL_SIGNATURE, timestamp: '1554208460', serial_no: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB' };
    const header = authorizationHeader(parts);
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="N1",signature="[^"]+",timestamp="1554208460",serial_no="408B/);
    expect(parseAuthorization(header)).toEqual(parts);
    expect(parseAuthorization(header.replace('mchid="1900007291",', ''))).toBeNull();
    expect(parseAuthorization(`${header},mchid="2"`)).toBeNull();
    expect(parseAuthorization(header.replace('WECHATPAY2', 'WECHATPAY3'))).toBeNull();
  });
});

describe('answer and callback signature message', () => {
  it('three lines over the raw bytes; a 204 ends in just \\n', () => {
    expect(responseMessage('1554209980', 'c5ac', Buffer.from('{"a":"中"}')).toString('utf8')).toBe('1554209980\nc5ac\n{"a":"中"}\n');
    expect(responseMessage('1', 'n', Buffer.alloc(0)).toString('utf8')).toBe('1\nn\n\n');
  });

  it('probe signatures (WECHATPAY/SIGNTEST/...) simply fail', () => {
    const key = createPrivateKey(OFFICIAL_TEST_KEY);
    expect(rsaVerify('x', 'WECHATPAY/SIGNTEST/abc==', createPublicKey(key))).toBe(false);
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  const apiV3Key = '0123456789abcdefABCDEF0123456789';
  it('ciphertext is base64(data ‖ 16-byte tag) under the key\'s UTF-8 bytes, nonce and AAD', () => {
    const plain = '{"out_trade_no":"B1","amount":{"total":100}}';
    const ct = aesGcmEncrypt(plain, apiV3Key, 'abcdefghijkl', 'transaction');
    // Independently: node's cipher with the same inputs gives the same bytes.
    const c = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from('abcdefghijkl'));
    c.setAAD(Buffer.from('transaction'));
    const expected = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
    expect(ct).toBe(expected);
    expect(Buffer.from(ct, 'base64')).toHaveLength(Buffer.byteLength(plain) + 16);
    expect(aesGcmDecrypt({ ciphertext: ct, nonce: 'abcdefghijkl', associated_data: 'transaction' }, apiV3Key)).toBe(plain);
  });

  it('a wrong key, nonce, AAD or one flipped bit fails the tag', () => {
    const ct = aesGcmEncrypt('{}', apiV3Key, 'abcdefghijkl', 'transaction');
    const r = { ciphertext: ct, nonce: 'abcdefghijkl', associated_data: 'transaction' };
    expect(() => aesGcmDecrypt(r, apiV3Key.replace('0', '1'))).toThrow();
    expect(() => aesGcmDecrypt({ ...r, nonce: 'abcdefghijkm' }, apiV3Key)).toThrow();
    expect(() => aesGcmDecrypt({ ...r, associated_data: '' }, apiV3Key)).toThrow();
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => aesGcmDecrypt({ ...r, ciphertext: flipped.toString('base64') }, apiV3Key)).toThrow();
    expect(() => aesGcmEncrypt('{}', 'short', 'abcdefghijkl', '')).toThrow(/32 bytes/);
  });
});

describe('RFC 3339 times', () => {
  it('written in Beijing time with +08:00, read with any explicit offset', () => {
    expect(formatRfc3339(new Date('2026-03-15T01:00:00Z'))).toBe('2026-03-15T09:00:00+08:00');
    expect(parseRfc3339('2026-03-15T09:00:00+08:00')).toEqual(new Date('2026-03-15T01:00:00Z'));
    expect(parseRfc3339('2026-03-15T01:00:00Z')).toEqual(new Date('2026-03-15T01:00:00Z'));
    expect(parseRfc3339('2026-03-15 09:00:00')).toBeNull();
    expect(parseRfc3339('2026-03-15T09:00:00')).toBeNull();
    expect(parseRfc3339(1)).toBeNull();
  });
});
