import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { exampleData } from '@waybill/contracts';
import {
  EventProbe,
  ServiceUnderTest,
  startServiceForTest,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { FakeZto, ZTO_SAMPLE_PARTIES } from '@waybill/testing/parties';
import { LogisticsConfig } from '../src/logistics.config';
import { LogisticsModule } from '../src/logistics.module';
import { Json, TYPES } from './support/logistics-test-env';

const ACK = '{"status":true,"message":"success","result":"success","statusCode":"200"}';

/**
 * ZTO end to end: the logistics service alone on the real Kafka and Postgres, ZOP played by
 * FakeZto. A CN order is booked with ZTO; ZTO's track pushes come as form fields (and JSON) through
 * the one webhook ingress, are answered in ZTO's words, and bring the shipment to delivered
 * whatever order they arrive in.
 */
describe('logistics with ZTO (e2e, real Kafka and Postgres, ZOP over real HTTP)', () => {
  let zto: FakeZto;
  let probe: EventProbe;
  let service: ServiceUnderTest<LogisticsConfig>;

  beforeAll(async () => {
    const prefix = `${uniqueTopicPrefix('zto')}.`;
    zto = await FakeZto.start();
    probe = await EventProbe.start(prefix, ['waybill.order.events', 'waybill.logistics.events']);
    service = await startServiceForTest(
      { service: 'logistics', config: LogisticsConfig, module: (c) => LogisticsModule.forRoot(c) },
      {
        topicPrefix: prefix,
        env: {
          WAYBILL_API_KEYS: '[]',
          RATE_LIMIT_PER_MINUTE: '1000000',
          ...zto.env(),
          LOGISTICS_CARRIER_RULES: JSON.stringify([{ carrier: 'zto', countries: ['CN'] }]),
          LOGISTICS_SHIP_FROM: JSON.stringify(ZTO_SAMPLE_PARTIES.shipFrom),
          LOGISTICS_CARRIER_RETRY_BACKOFF_MS: '10',
          LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
        },
      },
    );
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.allSettled([probe?.stop(), zto?.stop()]);
  });

  const query = <T = Json>(sql: string, params: unknown[] = []) =>
    service.app.get(DataSource).query<T[]>(sql, params);
  const pushUrl = () => `${service.baseUrl}/v1/webhooks/carriers/zto`;

  async function bookedOrder(): Promise<{ orderId: string; shipmentId: string; billCode: string }> {
    const orderId = randomUUID();
    await probe.publish(
      TYPES.confirmed,
      exampleData(TYPES.confirmed, { orderId, shippingAddress: ZTO_SAMPLE_PARTIES.recipient }),
    );
    const [row] = await waitFor(
      async () => {
        const rows = await query<{ id: string; carrier: string; tracking_number: string }>(
          `SELECT id, carrier, tracking_number FROM shipments WHERE order_id = $1`,
          [orderId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 30_000, description: `the shipment of order ${orderId}` },
    );
    expect(row.carrier).toBe('zto');
    return { orderId, shipmentId: row.id, billCode: row.tracking_number };
  }

  const settled = (billCode: string, count: number) =>
    waitFor(
      async () => {
        const [{ n }] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM webhook_inbox
            WHERE source = 'zto' AND processed_at IS NOT NULL AND convert_from(raw_body, 'UTF8') LIKE $1`,
          [`%${billCode}%`],
        );
        return n >= count ? n : undefined;
      },
      { timeoutMs: 30_000, description: `${count} ZTO pushes for ${billCode} to be applied` },
    );

  it('books a CN order under its shipment id and ends delivered through out-of-order, duplicated form pushes', async () => {
    const { orderId, shipmentId, billCode } = await bookedOrder();
    expect(zto.orderFor(shipmentId)?.billCode).toBe(billCode);
    expect(zto.subscriptions.get(billCode)).toEqual({ billCode, mobilePhone: '5514' });

    // In time order; sent as the sandbox sent them: signed first, the pickup last.
    const actions = ['GOT', 'DEPARTURE', 'ARRIVAL', 'DISPATCH', 'INBOUND', 'HANDOVERSCAN_SIGNED', 'SIGNED'];
    const sent = await zto.push(billCode, actions, {
      to: pushUrl(),
      order: [6, 4, 5, 3, 0, 2, 1],
      duplicate: true,
    });
    expect(sent.map((push) => [push.status, push.answer])).toEqual(sent.map(() => [200, ACK]));
    await settled(billCode, actions.length);

    const [shipment] = await query<{ status: string }>(`SELECT status FROM shipments WHERE id = $1`, [
      shipmentId,
    ]);
    expect(shipment.status).toBe('delivered');
    const stored = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_inbox WHERE source = 'zto' AND convert_from(raw_body, 'UTF8') LIKE $1`,
      [`%${billCode}%`],
    );
    // Each duplicate is the same push: stored once.
    expect(stored[0].n).toBe(actions.length);
    const delivered = await probe.waitForEvent<Json>(TYPES.delivered, (data) => data.orderId === orderId);
    expect(delivered.data).toMatchObject({ shipmentId, trackingNumber: billCode });

    // A JSON push of a late event is taken the same way and changes nothing.
    const [late] = await zto.push(billCode, ['DEPARTURE_SIGNED'], { to: pushUrl(), format: 'json' });
    expect([late.status, late.answer]).toEqual([200, ACK]);
    await settled(billCode, actions.length + 1);
    const [after] = await query<{ status: string }>(`SELECT status FROM shipments WHERE id = $1`, [
      shipmentId,
    ]);
    expect(after.status).toBe('delivered');
  });

  it("refuses a push signed with another secret in ZTO's words, storing nothing", async () => {
    const { billCode } = await bookedOrder();
    const stranger = await FakeZto.start({ appKey: zto.appKey });
    try {
      const [push] = await stranger.push(billCode, ['SIGNED'], { to: pushUrl() });
      expect(push.status).toBe(401);
      expect(JSON.parse(push.answer)).toMatchObject({ status: false, result: 'WEBHOOK.SIGNATURE_MISMATCH' });
      const [{ n }] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_inbox WHERE source = 'zto' AND convert_from(raw_body, 'UTF8') LIKE $1`,
        [`%${billCode}%`],
      );
      expect(n).toBe(0);
    } finally {
      await stranger.stop();
    }
  });
});
