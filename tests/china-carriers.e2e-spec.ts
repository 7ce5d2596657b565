import { randomBytes } from 'node:crypto';
import { PublicFront, waitFor } from '@waybill/testing';
import { FakeKuaidi100, FakeSf, KUAIDI100_ACK, SF_PUSH_ACK } from '@waybill/testing/parties';
import { orderBody, SagaStack, ShipmentView, uniqueSku } from './support/saga-stack';

const SF_PUSH_TOKEN = randomBytes(24).toString('hex');
const WAREHOUSE = {
  name: '杭州仓',
  line1: '余杭区文一西路 969 号',
  city: '杭州市',
  region: '浙江省',
  postalCode: '311121',
  country: 'CN',
  phone: '+8657112345678',
};
const BUYER = {
  name: '李雷',
  line1: '南山区科技园南区 1 栋 101',
  city: '深圳市',
  region: '广东省',
  postalCode: '518057',
  country: 'CN',
  phone: '+8613812345678',
};

/**
 * Issue 16's promise end to end: order, inventory, payment and logistics on the real Kafka and
 * PostgreSQL; a CN order is booked with SF Express (the fake 丰桥 platform over real HTTP, checking
 * msgDigest with its own Java-URLEncoder code), its waybill subscribed with Kuaidi100 by the
 * subscription worker, and Kuaidi100's signed whole-trace pushes move it to DELIVERED. An SF route
 * push on the token path counts too. Shanghai wall-clock times are stored as UTC.
 */
describe('a CN order shipped with SF Express and tracked to DELIVERED through Kuaidi100', () => {
  let sf: FakeSf;
  let kuaidi100: FakeKuaidi100;
  let front: PublicFront;
  let stack: SagaStack;

  beforeAll(async () => {
    sf = await FakeSf.start();
    kuaidi100 = await FakeKuaidi100.start();
    // Kuaidi100 is told its callbackurl at subscription: the service's public address, fixed before it starts.
    front = await PublicFront.start();
    stack = await SagaStack.start({
      withLogistics: true,
      env: {
        ...sf.env(),
        LOGISTICS_SF_PUSH_TOKEN: SF_PUSH_TOKEN,
        ...kuaidi100.env(),
        LOGISTICS_KUAIDI100_TRACK: 'sf',
        LOGISTICS_PUBLIC_BASE_URL: front.url,
        LOGISTICS_CARRIER_RULES: JSON.stringify([{ carrier: 'sf', countries: ['CN'] }]),
        LOGISTICS_SHIP_FROM: JSON.stringify(WAREHOUSE),
        LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
        LOGISTICS_TRACKING_SUBSCRIBE_POLL_INTERVAL_MS: '200',
      },
    });
    front.target = stack.logistics?.baseUrl ?? '';
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([sf?.stop(), kuaidi100?.stop(), front?.stop()]);
  });

  async function waitForShipmentStatus(orderId: string, status: string): Promise<ShipmentView> {
    return waitFor(
      async () => {
        const shipment = await stack.shipmentOf(orderId);
        return shipment.status === status ? shipment : undefined;
      },
      { timeoutMs: 30_000, description: `the shipment to be ${status}` },
    );
  }

  it('books with SF, subscribes the waybill with Kuaidi100, and reaches DELIVERED on their pushes', async () => {
    const sku = uniqueSku('cn-sf');
    await stack.setStock(sku, 3);
    const placed = await stack.placeOrder({
      ...orderBody([{ sku, quantity: 1, unitPrice: 8800 }]),
      currency: 'CNY',
      shippingAddress: BUYER,
    });
    expect(placed.status).toBe(201);
    const orderId = placed.body.id;
    await stack.waitForStatus(orderId, 'SHIPPED');

    // Booked with SF under our shipment id, one waybill.
    const booked = await stack.shipmentOf(orderId);
    expect(booked).toMatchObject({ carrier: 'sf', status: 'label_created' });
    expect(sf.waybillFor(booked.id)?.waybillNo).toBe(booked.trackingNumber);

    // Subscribed with Kuaidi100 in the background: SF's code, our callback, the phone's last 4 digits.
    const subscription = await waitFor(
      async () => kuaidi100.subscription('shunfeng', booked.trackingNumber),
      {
        timeoutMs: 30_000,
        description: 'the Kuaidi100 subscription',
      },
    );
    expect(subscription).toMatchObject({
      callbackurl: `${front.url}/v1/webhooks/carriers/kuaidi100`,
      phone: '5678',
      salt: kuaidi100.salt,
    });

    // SF pushes its first route (unsigned) to the token path, answered in SF's words.
    const [routePush] = await sf.pushRoutes(booked.trackingNumber, [{ opCode: '50' }], {
      to: `${stack.logistics?.baseUrl ?? ''}/v1/webhooks/carriers/sf/${SF_PUSH_TOKEN}`,
    });
    expect(routePush).toMatchObject({ status: 200, answer: SF_PUSH_ACK });
    await waitForShipmentStatus(orderId, 'in_transit');

    // Kuaidi100 pushes the whole trace, newest first, each time; the last push says signed for.
    const first = await kuaidi100.push('shunfeng', booked.trackingNumber, {
      state: '0',
      nodes: [
        { context: '顺丰速运 已收取快件', statusCode: '1', time: '2026-03-01 09:00:00' },
        { context: '快件到达 【深圳南山集散中心】', statusCode: '1002', time: '2026-03-01 20:15:14' },
      ],
    });
    expect(first).toMatchObject({ status: 200, answer: KUAIDI100_ACK });
    const last = await kuaidi100.push('shunfeng', booked.trackingNumber, {
      state: '3',
      status: 'shutdown',
      nodes: [{ context: '已签收,签收人是:本人', statusCode: '301', time: '2026-03-02 10:05:00' }],
    });
    expect(last).toMatchObject({ status: 200, answer: KUAIDI100_ACK });

    await stack.waitForStatus(orderId, 'DELIVERED');
    const delivered = await waitForShipmentStatus(orderId, 'delivered');
    const fromKuaidi100 = delivered.history.filter((entry) => entry.source === 'kuaidi100');
    // Two pushes carried five checkpoints between them: three are recorded, each once.
    expect(fromKuaidi100.map((entry) => entry.carrierStatus).sort()).toEqual(['1', '1002', '301']);
    // 10:05 in Shanghai is 02:05 UTC.
    expect(fromKuaidi100.find((entry) => entry.carrierStatus === '301')?.occurredAt).toBe(
      '2026-03-02T02:05:00.000Z',
    );
    expect(delivered.history.some((entry) => entry.source === 'sf' && entry.carrierStatus === '50')).toBe(
      true,
    );
  });
});
