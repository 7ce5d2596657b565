import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderTimeoutError, ProviderUnavailableError } from '@waybill/platform';
import { FakeEasyPost } from '@waybill/testing/parties';
import { EasyPostCarrier, easyPostFailure } from './easypost.carrier';

// The carrier speaks EasyPost through @easypost/api; these pin how the library's failures map onto
// our outcomes, including the error answers the library itself cannot read.
describe('easyPostFailure (@easypost/api failures → our retry rules and outcomes)', () => {
  it('reads the library’s ApiError: a 4xx is a refusal with EasyPost’s code, a 5xx an outage', () => {
    const invalid = Object.assign(new Error('Unable to verify address.'), {
      statusCode: 422,
      code: 'ADDRESS.VERIFY.FAILURE',
    });
    expect(easyPostFailure(invalid, 422)).toEqual({
      kind: 'refused',
      code: 'EASYPOST.ADDRESS.VERIFY.FAILURE',
      message: 'Unable to verify address.',
    });
    const down = Object.assign(new Error('try again'), { statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(() => easyPostFailure(down, 503)).toThrow(new ProviderUnavailableError('HTTP 503'));
  });

  it('falls back on the recorded status when the library could not build its error', () => {
    const unreadable = new TypeError("Cannot destructure property 'code' of 'error.body.error'");
    expect(() => easyPostFailure(unreadable, 502)).toThrow(new ProviderUnavailableError('HTTP 502'));
    expect(easyPostFailure(unreadable, 404)).toEqual({
      kind: 'refused',
      code: 'EASYPOST.HTTP_404',
      message: 'easypost answered 404',
    });
    expect(() => easyPostFailure(unreadable, 201)).toThrow(ProviderUnavailableError);
  });

  it('tells superagent’s timeout from a network error, and throws anything else', () => {
    const timedOut = Object.assign(new Error('Timeout of 100ms exceeded'), {
      timeout: 100,
      code: 'ECONNABORTED',
    });
    expect(() => easyPostFailure(timedOut, undefined)).toThrow(ProviderTimeoutError);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(() => easyPostFailure(refused, undefined)).toThrow(
      new ProviderUnavailableError('network error (ECONNREFUSED)'),
    );
    const bug = new TypeError('x is undefined');
    expect(() => easyPostFailure(bug, undefined)).toThrow(bug);
  });
});

describe('EasyPostCarrier through @easypost/api', () => {
  const booking = {
    orderId: 'o-1',
    shipmentId: 's-1',
    idempotencyKey: 'logistics:o-1:book',
    recipient: { name: 'Ada', line1: '1 Main St', city: 'Charleston', postalCode: '29401', country: 'US' },
    weightGrams: 1000,
  };
  // A fresh EasyPost per test: what one test bought must not be found by the next.
  let api: FakeEasyPost;
  beforeEach(async () => {
    api = await new FakeEasyPost().start();
  });
  afterEach(() => api.stop());

  const carrierAt = (apiBase: string, apiKey: string) =>
    new EasyPostCarrier({
      apiBase,
      apiKey,
      webhookSecrets: ['s'],
      maxEventAgeSeconds: 60,
      carrierAccounts: ['ca_1'],
      service: 'Priority',
      timeoutMs: 1000,
      retry: { attempts: 2, initialBackoffMs: 1 },
    });

  it('books at <base>/v2/shipments with Basic auth and answers EasyPost’s refusal as a result', async () => {
    const carrier = carrierAt(api.baseUrl, api.apiKey);
    await expect(carrier.createShipment(booking)).resolves.toMatchObject({
      kind: 'booked',
      carrierShipmentId: expect.stringMatching(/^shp_/),
      labelRef: expect.stringMatching(/^https:\/\//),
    });
    const [call] = api.callsTo('POST', /^\/v2\/shipments$/);
    expect(call.body).toMatchObject({
      shipment: {
        reference: 'o-1',
        carrier_accounts: ['ca_1'],
        service: 'Priority',
        parcel: { weight: 35.3 },
      },
    });
    await expect(
      // Another order: o-1 has its label, which a booking of o-1 would find and answer again.
      carrier.createShipment({
        ...booking,
        orderId: 'o-2',
        shipmentId: 's-2',
        recipient: { ...booking.recipient, postalCode: '00000' },
      }),
    ).resolves.toEqual({
      kind: 'refused',
      code: 'EASYPOST.ADDRESS.VERIFY.FAILURE',
      message: 'Unable to verify address.',
    });
    await expect(carrierAt(api.baseUrl, 'EZTKwrong').createShipment(booking)).resolves.toMatchObject({
      kind: 'refused',
      code: 'EASYPOST.APIKEY.INACTIVE',
    });
  });

  it('after a lost answer, the retry finds the label already bought: one label, one tracking number', async () => {
    const carrier = carrierAt(api.baseUrl, api.apiKey);
    // EasyPost buys the label, but the answer never arrives: the first attempt sees a reset.
    api.loseNextAnswer('create');
    const booked = await carrier.createShipment(booking);
    expect(api.shipments.size).toBe(1);
    const [bought] = [...api.shipments.values()];
    expect(booked).toEqual({
      kind: 'booked',
      trackingNumber: bought.trackingCode,
      carrierShipmentId: bought.id,
      labelRef: `https://easypost-files.example/postage_label/${bought.id}.png`,
    });
    expect(api.callsTo('POST', /^\/v2\/shipments$/)).toHaveLength(1);
    // The retry looked the shipment up by its reference, the order id, before buying again.
    expect(api.callsTo('GET', /^\/v2\/shipments\/o-1$/)).toHaveLength(2);

    // A redelivered order (our commit lost) books again: the same label, nothing bought.
    await expect(carrier.createShipment(booking)).resolves.toEqual(booked);
    expect(api.shipments.size).toBe(1);
  });

  it('buys when EasyPost knows no shipment under the reference, and only then', async () => {
    const carrier = carrierAt(api.baseUrl, api.apiKey);
    const first = await carrier.createShipment(booking);
    const second = await carrier.createShipment({ ...booking, orderId: 'o-2', shipmentId: 's-2' });
    expect(first.kind === 'booked' && second.kind === 'booked').toBe(true);
    expect(second).not.toEqual(first);
    expect(api.shipments.size).toBe(2);
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /v2/shipments/o-1',
      'POST /v2/shipments',
      'GET /v2/shipments/o-2',
      'POST /v2/shipments',
    ]);
  });

  it('reports a proxy’s 502 page (no EasyPost error body) as unavailable after its retries', async () => {
    let requests = 0;
    const proxy: Server = createServer((_request, response) => {
      requests++;
      response.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      await expect(carrierAt(base, 'EZTKany').createShipment(booking)).resolves.toEqual({
        kind: 'unavailable',
        message: 'easypost: HTTP 502 after 2 attempt(s)',
      });
      expect(requests).toBe(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
