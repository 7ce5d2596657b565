import { FakeYouzan } from '@waybill/testing/parties';
import { platformCall } from './fixtures/platform-call';
import type { PlatformCall, TrackingReport } from './storefront-api';
import { YouzanStorefrontApi } from './youzan.api';

const api = new YouzanStorefrontApi();

describe('YouzanStorefrontApi', () => {
  let fake: FakeYouzan;
  let call: PlatformCall;
  const report = (more: Partial<TrackingReport> = {}): TrackingReport => ({
    externalOrderId: 'E20260301103000000000000001',
    carrier: 'sf',
    trackingNumber: 'SF1234567890123',
    shippedAt: '2026-03-01T02:30:00.000Z',
    ...more,
  });

  beforeEach(async () => {
    fake = await FakeYouzan.start();
    call = platformCall('youzan', fake.baseUrl, { accessToken: fake.accessToken });
  });
  afterEach(() => fake.stop());

  it('confirms the shipment once with Youzan’s express code, even when reported twice', async () => {
    expect(await api.reportTracking(call, report())).toEqual({ status: 'reported' });
    expect(await api.reportTracking(call, report())).toEqual({ status: 'reported' });
    expect(fake.confirmationsOf(report().externalOrderId)).toEqual([
      { tid: report().externalOrderId, outStype: '7', outSid: 'SF1234567890123', isNoExpress: false },
    ]);
  });

  it('confirms a carrier Youzan does not list as no express needed', async () => {
    expect(await api.reportTracking(call, report({ carrier: 'direct', trackingNumber: 'WB-1' }))).toEqual({
      status: 'reported',
    });
    expect(fake.confirmationsOf(report().externalOrderId)).toEqual([
      expect.objectContaining({ isNoExpress: true }),
    ]);
  });

  it('is failed on a bad token (the gateway’s gw_err_resp) and retry on an outage', async () => {
    const wrong = platformCall('youzan', fake.baseUrl, { accessToken: 'expired' });
    expect(await api.reportTracking(wrong, report())).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('4203'),
    });
    fake.failNext = 1;
    expect(await api.reportTracking(call, report())).toMatchObject({ status: 'retry' });
    expect(fake.confirmations).toHaveLength(0);
    await fake.stop();
    expect(await api.reportTracking(call, report())).toMatchObject({ status: 'retry' });
    fake = await FakeYouzan.start();
  });

  it('fails a refusal that is not “already shipped”', async () => {
    expect(await api.reportTracking(call, report({ externalOrderId: '' }))).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('4001'),
    });
  });

  it('says polling is not supported', async () => {
    expect(await api.ordersModifiedSince()).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('not supported'),
    });
  });
});
