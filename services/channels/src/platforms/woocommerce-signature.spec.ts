import { createHmac } from 'node:crypto';
import { FakeWooCommerce, recordingReceiver, wooOrder } from '@waybill/testing/parties';
import vector from './fixtures/signatures/woocommerce.json';
import { siteKey, verifyWooCommerceWebhook } from './woocommerce-signature';

const SITE = 'https://shop.waybill.test/';

/** The spec's own signer, apart from the code under test. */
function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

function headers(body: string, secret = vector.secret, overrides: Record<string, string> = {}) {
  return {
    'content-type': 'application/json',
    'x-wc-webhook-source': SITE,
    'x-wc-webhook-topic': 'order.created',
    'x-wc-webhook-resource': 'order',
    'x-wc-webhook-event': 'created',
    'x-wc-webhook-signature': sign(body, secret),
    'x-wc-webhook-id': '12',
    'x-wc-webhook-delivery-id': '5e0c6d2a3f1b9e8d7c6b5a4f3e2d1c0b',
    ...overrides,
  };
}

function verify(body: string, head: Record<string, string | undefined>, secrets = [vector.secret]) {
  return verifyWooCommerceWebhook({ rawBody: Buffer.from(body), headers: head, secrets, siteUrl: SITE });
}

describe('verifyWooCommerceWebhook', () => {
  it('accepts the derived vector, named by store, topic, order and modification time', () => {
    expect(sign(vector.body, vector.secret)).toBe(vector.signature);
    const result = verify(vector.body, {
      ...headers(vector.body),
      'x-wc-webhook-signature': vector.signature,
    });
    expect(result).toEqual({
      ok: true,
      externalId: 'https://shop.waybill.test|order.created|727@2026-12-04T10:15:00',
      eventType: 'order.created',
      webhookId: '12',
      deliveryId: '5e0c6d2a3f1b9e8d7c6b5a4f3e2d1c0b',
    });
  });

  it('names a second delivery of the same change the same, whatever its delivery id', () => {
    const first = verify(vector.body, headers(vector.body));
    const again = verify(
      vector.body,
      headers(vector.body, vector.secret, { 'x-wc-webhook-delivery-id': 'other' }),
    );
    expect(first.ok && again.ok && first.externalId === again.externalId).toBe(true);
    const changed = vector.body.replace('10:15:00', '10:16:00');
    const next = verify(changed, headers(changed));
    expect(next.ok && first.ok && next.externalId !== first.externalId).toBe(true);
  });

  it('falls back to the delivery id for a body without date_modified_gmt', () => {
    const body = '{"id":727}';
    const result = verify(body, headers(body, vector.secret, { 'x-wc-webhook-topic': 'order.deleted' }));
    expect(result).toMatchObject({
      ok: true,
      ignored: true,
      externalId: 'https://shop.waybill.test|order.deleted|727#5e0c6d2a3f1b9e8d7c6b5a4f3e2d1c0b',
    });
  });

  it('answers the unsigned creation ping as ignored, even before a secret is configured', () => {
    const ping = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(verify('webhook_id=12', ping, [])).toEqual({
      ok: true,
      externalId: 'ping:12',
      eventType: 'ping',
      ignored: true,
      webhookId: '12',
    });
    // Anything else without a signature is no ping.
    expect(verify('webhook_id=12&x=1', ping)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
    expect(verify('{"id":1}', {})).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
  });

  it('refuses a tampered body, a wrong secret, a malformed signature and no secret', () => {
    const tampered = vector.body.replace('29.35', '0.01');
    expect(verify(tampered, headers(vector.body))).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
    // wp_specialchars_decode undone on our side would be a different key.
    expect(verify(vector.body, headers(vector.body, vector.secret.replace('&', '&amp;')))).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(verify(vector.body, { ...headers(vector.body), 'x-wc-webhook-signature': 'abc' })).toMatchObject({
      rejection: 'SIGNATURE_MALFORMED',
    });
    expect(verify(vector.body, headers(vector.body), [])).toMatchObject({ rejection: 'NOT_CONFIGURED' });
  });

  it('refuses a delivery from another store, and reads the site URL loosely', () => {
    const other = headers(vector.body, vector.secret, { 'x-wc-webhook-source': 'https://evil.example/' });
    expect(verify(vector.body, other)).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
    expect(siteKey('HTTPS://Shop.Waybill.test//')).toBe('https://shop.waybill.test');
    expect(siteKey('https://x.test/Sub/')).toBe('https://x.test/Sub');
  });

  it('answers other topics as ignored', () => {
    const body = '{"id":9,"date_modified_gmt":"2026-12-04T10:15:00"}';
    expect(
      verify(body, headers(body, vector.secret, { 'x-wc-webhook-topic': 'product.updated' })),
    ).toMatchObject({
      ok: true,
      ignored: true,
    });
    expect(
      verify(body, headers(body, vector.secret, { 'x-wc-webhook-topic': 'order.updated' })),
    ).not.toHaveProperty('ignored');
  });

  it('refuses signed bodies that do not read, and names missing headers', () => {
    for (const body of [
      '[]',
      'nope',
      '{"id":"727"}',
      '{"id":0}',
      '{"id":1,"date_modified_gmt":"04/12/2026"}',
    ]) {
      expect(verify(body, headers(body))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    }
    const { 'x-wc-webhook-topic': _topic, ...partial } = headers(vector.body);
    const result = verify(vector.body, partial);
    expect(!result.ok && result.message).toBe('missing header(s): X-WC-Webhook-Topic');
  });
});

describe('verifyWooCommerceWebhook takes what FakeWooCommerce sends over HTTP', () => {
  it('accepts its deliveries and its ping, and names a duplicate delivery alike', async () => {
    const woo = await FakeWooCommerce.start({ webhookSecret: vector.secret });
    const waybill = await recordingReceiver();
    try {
      await woo.deliver('order.created', wooOrder(), { to: waybill.url, duplicate: true });
      await woo.ping(waybill.url);
      const verdicts = waybill.received.map((got) =>
        verifyWooCommerceWebhook({
          rawBody: Buffer.from(got.body, 'utf8'),
          headers: got.headers,
          secrets: [woo.webhookSecret],
          siteUrl: woo.siteUrl,
        }),
      );
      expect(verdicts.map((verdict) => verdict.ok && (verdict.ignored ?? false))).toEqual([
        false,
        false,
        true,
      ]);
      const [first, duplicate] = verdicts;
      expect(first?.ok && duplicate?.ok && first.externalId === duplicate.externalId).toBe(true);
    } finally {
      await waybill.close();
      await woo.stop();
    }
  });
});
