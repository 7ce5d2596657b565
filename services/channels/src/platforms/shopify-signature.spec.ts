import { createHmac } from 'node:crypto';
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import fc from 'fast-check';
import { FakeShopify, recordingReceiver, shopifyOrder } from '@waybill/testing/parties';
import vector from './fixtures/signatures/shopify.json';
import { SHOPIFY_MAX_AGE_SECONDS, verifyShopifyWebhook } from './shopify-signature';

// The library's Node adapter, loaded for its side effect. Not an `import`: with
// moduleResolution "node", tsc ignores the package's exports map and would type-check the .ts
// sources it ships under adapters/ (which do not compile under strict settings); require goes
// through the exports map to the built adapter, as an app would load it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@shopify/shopify-api/adapters/node');

const NOW = new Date('2026-12-04T12:00:00.000Z');
const SHOP = 'waybill-test.myshopify.com';

/** The spec's own signer (node:crypto directly), apart from the code under test. */
function sign(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function headers(body: Buffer | string, secret = vector.secret, overrides: Record<string, string> = {}) {
  return {
    'x-shopify-hmac-sha256': sign(body, secret),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': SHOP,
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-api-version': '2025-07',
    'x-shopify-triggered-at': '2026-12-04T11:59:58.123456789Z',
    ...overrides,
  };
}

function verify(
  body: Buffer | string,
  head: Record<string, string | undefined>,
  options: { secrets?: string[]; now?: Date } = {},
) {
  return verifyShopifyWebhook({
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: head,
    secrets: options.secrets ?? [vector.secret],
    shopDomain: SHOP,
    now: options.now ?? NOW,
  });
}

describe('verifyShopifyWebhook', () => {
  it('accepts the derived vector and names the delivery, topic, shop and version', () => {
    expect(sign(vector.body, vector.secret)).toBe(vector.hmac);
    const result = verify(vector.body, { ...headers(vector.body), 'x-shopify-hmac-sha256': vector.hmac });
    expect(result).toEqual({
      ok: true,
      externalId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      eventType: 'orders/create',
      shopDomain: SHOP,
      apiVersion: '2025-07',
      triggeredAt: '2026-12-04T11:59:58.123456789Z',
    });
  });

  it('reads header names in any case and the shop domain case-insensitively', () => {
    const result = verify(vector.body, {
      'X-Shopify-Hmac-Sha256': vector.hmac,
      'X-Shopify-Topic': 'orders/cancelled',
      'X-Shopify-Shop-Domain': 'Waybill-Test.myshopify.com',
      'X-Shopify-Webhook-Id': 'w-1',
      'X-Shopify-API-Version': '2025-07',
      'X-Shopify-Triggered-At': '2026-12-04T11:00:00Z',
    });
    expect(result).toMatchObject({ ok: true, eventType: 'orders/cancelled', shopDomain: SHOP });
  });

  it('answers topics it does not act on as ignored', () => {
    const body = '{"id":1}';
    const result = verify(body, headers(body, vector.secret, { 'x-shopify-topic': 'products/update' }));
    expect(result).toMatchObject({ ok: true, ignored: true, eventType: 'products/update' });
    expect(
      verify(body, headers(body, vector.secret, { 'x-shopify-topic': 'refunds/create' })),
    ).not.toHaveProperty('ignored');
  });

  it('refuses a tampered body, a wrong secret and a forged header as a mismatch', () => {
    const tampered = vector.body.replace('243.00', '1.00');
    expect(verify(tampered, { ...headers(vector.body), 'x-shopify-hmac-sha256': vector.hmac })).toMatchObject(
      {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
      },
    );
    expect(verify(vector.body, headers(vector.body, 'another-secret'))).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
  });

  it('verifies the bytes as received, not a re-encoding of them', () => {
    // 0xff is not UTF-8: decoding and re-encoding would turn it into U+FFFD and change the HMAC.
    const raw = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const signedRaw = headers(raw);
    expect(verify(raw, signedRaw).ok).toBe(true);
    expect(verify(Buffer.from(raw.toString('utf8')), signedRaw)).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
  });

  it('accepts either secret while a connection rotates', () => {
    expect(
      verify(vector.body, headers(vector.body, 'new-secret'), { secrets: [vector.secret, 'new-secret'] }).ok,
    ).toBe(true);
  });

  it('tells a missing, a malformed signature and an unconfigured connection apart', () => {
    const { 'x-shopify-hmac-sha256': _hmac, ...unsigned } = headers(vector.body);
    expect(verify(vector.body, unsigned)).toMatchObject({ rejection: 'SIGNATURE_MISSING' });
    for (const bad of ['not base64!', vector.hmac.slice(0, -1), `${vector.hmac} `.repeat(2), 'abcd']) {
      expect(verify(vector.body, { ...headers(vector.body), 'x-shopify-hmac-sha256': bad })).toMatchObject({
        rejection: 'SIGNATURE_MALFORMED',
      });
    }
    expect(verify(vector.body, headers(vector.body), { secrets: [] })).toMatchObject({
      rejection: 'NOT_CONFIGURED',
    });
    expect(verify(vector.body, headers(vector.body, ''), { secrets: [''] })).toMatchObject({
      rejection: 'NOT_CONFIGURED',
    });
  });

  it('refuses a signed delivery for another shop', () => {
    const result = verify(
      vector.body,
      headers(vector.body, vector.secret, { 'x-shopify-shop-domain': 'other.myshopify.com' }),
    );
    expect(result).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
  });

  it('names the missing delivery headers, and refuses a body that is not a JSON object', () => {
    const {
      'x-shopify-webhook-id': _id,
      'x-shopify-api-version': _version,
      ...partial
    } = headers(vector.body);
    const result = verify(vector.body, partial);
    expect(result).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    expect(!result.ok && result.message).toBe(
      'missing header(s): X-Shopify-Webhook-Id, X-Shopify-API-Version',
    );
    expect(verify('[1,2]', headers('[1,2]'))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    expect(verify('{"id":', headers('{"id":'))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    const badTime = headers(vector.body, vector.secret, { 'x-shopify-triggered-at': 'yesterday' });
    expect(verify(vector.body, badTime)).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
  });

  it('takes a retry up to six hours after the event and refuses a staler replay or a future one', () => {
    const at = (ms: number) =>
      headers(vector.body, vector.secret, { 'x-shopify-triggered-at': new Date(ms).toISOString() });
    const limit = SHOPIFY_MAX_AGE_SECONDS * 1000;
    expect(verify(vector.body, at(NOW.getTime() - 4 * 3600 * 1000)).ok).toBe(true);
    expect(verify(vector.body, at(NOW.getTime() - limit)).ok).toBe(true);
    expect(verify(vector.body, at(NOW.getTime() - limit - 1000))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(verify(vector.body, at(NOW.getTime() + 60_000)).ok).toBe(true);
    expect(verify(vector.body, at(NOW.getTime() + 10 * 60_000))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
  });

  it('checks the signature before the staleness bound, so the window cannot be probed unsigned', () => {
    const stale = headers(vector.body, 'wrong', { 'x-shopify-triggered-at': '2020-01-01T00:00:00Z' });
    expect(verify(vector.body, stale)).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
  });
});

/**
 * The equivalence the issue asks for: @shopify/shopify-api's own `webhooks.validate` and our check
 * accept and refuse the same deliveries. The library is the witness; it is never called at runtime.
 */
describe('verifyShopifyWebhook agrees with @shopify/shopify-api webhooks.validate', () => {
  const secrets = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
  const bodies = fc.oneof(
    fc.json().map((json) => `{"payload":${json}}`),
    fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => JSON.stringify({ note: text })),
  );

  async function libraryAccepts(
    body: string,
    secret: string,
    hmac: string,
    without?: string,
  ): Promise<boolean> {
    const shopify = shopifyApi({
      apiKey: 'waybill-equivalence',
      apiSecretKey: secret,
      apiVersion: ApiVersion.July25,
      hostName: 'waybill.test',
      isEmbeddedApp: false,
      logger: { log: () => undefined },
    });
    const result = await shopify.webhooks.validate({
      rawBody: body,
      rawRequest: {
        headers: dropped({ ...headers(body, secret), 'x-shopify-hmac-sha256': hmac }, without),
        method: 'POST',
        url: '/',
      },
      rawResponse: {},
    });
    return result.valid;
  }

  function oursAccepts(body: string, secret: string, hmac: string, without?: string): boolean {
    return verifyShopifyWebhook({
      rawBody: Buffer.from(body, 'utf8'),
      headers: dropped({ ...headers(body, secret), 'x-shopify-hmac-sha256': hmac }, without),
      secrets: [secret],
      shopDomain: SHOP,
      now: NOW,
    }).ok;
  }

  it('on valid, tampered and wrongly keyed bodies (property)', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        bodies,
        secrets,
        secrets,
        fc.constantFrom('valid', 'tampered', 'wrong-key', 'bit-flipped'),
        async (body, secret, otherSecret, kind) => {
          const signed = sign(body, secret);
          const cases: Record<typeof kind, { body: string; hmac: string }> = {
            valid: { body, hmac: signed },
            tampered: { body: `${body.slice(0, -1)} }`, hmac: signed },
            'wrong-key': { body, hmac: sign(body, `${secret}${otherSecret}`) },
            'bit-flipped': { body, hmac: flipFirstBit(signed) },
          };
          const { body: sent, hmac } = cases[kind];
          const library = await libraryAccepts(sent, secret, hmac);
          const ours = oursAccepts(sent, secret, hmac);
          expect(ours).toBe(library);
          expect(ours).toBe(kind === 'valid');
          accepted += ours ? 1 : 0;
        },
      ),
      { numRuns: 150 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('on the derived vector, and both refuse a non-canonical base64 of the right bytes', async () => {
    expect(await libraryAccepts(vector.body, vector.secret, vector.hmac)).toBe(true);
    expect(oursAccepts(vector.body, vector.secret, vector.hmac)).toBe(true);
    const unpadded = vector.hmac.replace(/=$/, '');
    expect(await libraryAccepts(vector.body, vector.secret, unpadded)).toBe(false);
    expect(oursAccepts(vector.body, vector.secret, unpadded)).toBe(false);
  });

  it('on deliveries missing a header the library requires', async () => {
    for (const name of [
      'x-shopify-hmac-sha256',
      'x-shopify-topic',
      'x-shopify-shop-domain',
      'x-shopify-api-version',
      'x-shopify-webhook-id',
    ]) {
      expect([name, await libraryAccepts(vector.body, vector.secret, vector.hmac, name)]).toEqual([
        name,
        false,
      ]);
      expect([name, oursAccepts(vector.body, vector.secret, vector.hmac, name)]).toEqual([name, false]);
    }
  });
});

function dropped(head: Record<string, string>, name: string | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(head).filter(([key]) => key !== name));
}

function flipFirstBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}

describe('verifyShopifyWebhook takes what FakeShopify sends over HTTP', () => {
  it('accepts its deliveries, refuses one signed with another key, and dedups a retry by its id', async () => {
    const shopify = await FakeShopify.start({ shopDomain: SHOP });
    const waybill = await recordingReceiver([500, 200]);
    try {
      const order = shopifyOrder({ id: 5512345678901234567n });
      await shopify.deliver('orders/create', order, { to: waybill.url, retryUntilAcknowledged: 1 });
      await shopify.deliver('orders/create', order, { to: waybill.url, signWith: 'forged' });
      const verdicts = waybill.received.map((got) =>
        verifyShopifyWebhook({
          rawBody: Buffer.from(got.body, 'utf8'),
          headers: got.headers,
          secrets: [shopify.signingSecret],
          shopDomain: SHOP,
          now: new Date(),
        }),
      );
      expect(verdicts.map((verdict) => verdict.ok)).toEqual([true, true, false]);
      const [first, retry] = verdicts;
      expect(first?.ok && retry?.ok && first.externalId === retry.externalId).toBe(true);
      expect(verdicts[2]).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
    } finally {
      await waybill.close();
      await shopify.stop();
    }
  });
});
