import { FakeKuaidi100, KUAIDI100_ACK } from '@waybill/testing/parties';
import { waitFor } from '@waybill/testing';
import { Json, LogisticsTestEnv } from './support/logistics-test-env';

describe('logistics with Kuaidi100 (e2e: real Kafka and Postgres, Kuaidi100 over real HTTP)', () => {
  let env: LogisticsTestEnv;

  beforeAll(async () => {
    env = await LogisticsTestEnv.start();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('subscribes a booked parcel in the background and applies its form-encoded pushes, answering the exact ack', async () => {
    const { shipment } = await env.confirmOrder();
    const subscription = await waitFor(
      async () => env.kuaidi100.subscription('shunfeng', shipment.trackingNumber),
      { timeoutMs: 30_000, description: 'the Kuaidi100 subscription' },
    );
    expect(subscription).toMatchObject({ phone: '3456', resultv2: '6', salt: env.kuaidi100.salt });
    expect(subscription.callbackurl).toMatch(/\/v1\/webhooks\/carriers\/kuaidi100$/);

    const nodes = [
      { context: '顺丰速运 已收取快件', statusCode: '103', time: '2026-03-01 09:00:00' },
      { context: '快件到达 【深圳转运中心】', statusCode: '1002', time: '2026-03-01 20:15:14' },
    ];
    const first = await env.kuaidi100.push('shunfeng', shipment.trackingNumber, { state: '0', nodes });
    expect(first).toMatchObject({ status: 200, answer: KUAIDI100_ACK, acknowledged: true });
    const applied = await waitFor(
      async () => {
        const current: Json = await env.shipment(shipment.id);
        return current.status === 'in_transit' ? current : undefined;
      },
      { timeoutMs: 30_000, description: 'the pushed trace to be applied' },
    );
    const fromKuaidi100 = (history: Json[]) => history.filter((entry) => entry.source === 'kuaidi100');
    expect(fromKuaidi100(applied.history).map((entry: Json) => entry.carrierStatus)).toEqual(['103', '1002']);

    // The whole trace again, with one node more: only the new node is added.
    await env.kuaidi100.push('shunfeng', shipment.trackingNumber, {
      state: '5',
      nodes: [{ context: '快件已投递至丰巢柜', statusCode: '501', time: '2026-03-02 10:05:00' }],
    });
    const later = await waitFor(
      async () => {
        const current: Json = await env.shipment(shipment.id);
        return current.status === 'available_for_pickup' ? current : undefined;
      },
      { timeoutMs: 30_000, description: 'the second push to be applied' },
    );
    expect(fromKuaidi100(later.history).map((entry: Json) => entry.carrierStatus)).toEqual([
      '103',
      '1002',
      '501',
    ]);
  });

  it('answers a forged push in Kuaidi100’s failure form and stores nothing', async () => {
    const param = JSON.stringify({ status: 'polling', lastResult: { com: 'shunfeng', nu: 'SF0', data: [] } });
    const body = Buffer.from(
      new URLSearchParams({ param, sign: FakeKuaidi100.sign(param, 'not-our-salt') }).toString(),
    );
    const answer = await env.postWebhook('kuaidi100', body, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(answer).toMatchObject({
      status: 401,
      body: { result: false, returnCode: '401' },
    });
    expect(
      await env.count(
        `SELECT 1 FROM webhook_inbox WHERE source = 'kuaidi100' AND external_id LIKE 'shunfeng:SF0:%'`,
      ),
    ).toBe(0);
  });
});
