import { DomainError } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { shopifyJson, shopifyOrder } from '@waybill/testing/parties';
import { channelsUseCases, connect } from '../../test/use-cases';
import type { ConnectionView } from '../domain/connection';
import { TakeInOrder } from '../policies/take-in-order';
import { HeldOrders } from './held-orders.service';
import { SkuTable } from './sku-table.service';

describe('HeldOrders and the SKU table (on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let connection: ConnectionView;

  beforeAll(async () => {
    harness = await channelsUseCases();
    connection = await connect(
      harness,
      {
        channel: 'shopify',
        store: 'held-use-case.myshopify.com',
        storefrontId: 'shop-held',
        apiBase: 'https://held-use-case.myshopify.com',
        defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
      },
      { signingSecret: 's', credentials: {} },
      { 'SKU-1': 'MUG-BLUE-350' },
    );
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const codeOf = async (work: Promise<unknown>): Promise<string> => {
    try {
      await work;
    } catch (error) {
      if (error instanceof DomainError) {
        return error.code;
      }
      throw error;
    }
    return 'no error';
  };

  it('holds an order for a 2-pack SKU, refuses release until it is mapped, then submits 2 units per pack', async () => {
    const order = shopifyOrder({
      lines: [{ sku: 'MUG-2PACK', quantity: 3, price: '10.00' }],
      shipping: '0.00',
    });
    const taken = await harness.run((uow) =>
      harness.get(TakeInOrder).execute(uow, {
        connection,
        payload: { format: 'shopify-rest', rawBody: shopifyJson(order) },
        via: 'webhook',
      }),
    );
    expect(taken.outcome).toBe('held');
    const page = await harness.get(HeldOrders).list({ connectionId: connection.id, limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ status: 'held', externalOrderId: order.id.toString() });
    expect(page.items[0]?.reasons.map((reason) => reason.stage)).toEqual(['sku']);
    const id = page.items[0]?.id ?? '';

    expect(await codeOf(harness.run((uow) => harness.get(HeldOrders).release(uow, id)))).toBe(
      'CHANNELS.ORDER_STILL_HELD',
    );
    expect(await harness.enqueued()).toEqual([]);

    await harness.run((uow) =>
      harness
        .get(SkuTable)
        .put(uow, connection.id, 'MUG-2PACK', { kind: 'sku', sku: 'MUG-BLUE-350', multiplier: 2 }),
    );
    const released = await harness.run((uow) => harness.get(HeldOrders).release(uow, id));
    expect(released).toMatchObject({ status: 'submitted', receivedVia: 'release', reasons: [] });
    const [event] = await harness.enqueued();
    expect(event?.data).toMatchObject({
      lines: [{ sku: 'MUG-BLUE-350', quantity: 6, unitPrice: 500 }],
      totalAmount: 3000,
    });
    expect(await codeOf(harness.run((uow) => harness.get(HeldOrders).release(uow, id)))).toBe(
      'CHANNELS.ORDER_NOT_HELD',
    );
    expect((await harness.get(HeldOrders).list({ connectionId: connection.id, limit: 10 })).items).toEqual(
      [],
    );
  });

  it('pages the SKU table by channel SKU and refuses an unknown connection', async () => {
    for (const sku of ['B', 'A', 'C']) {
      await harness.run((uow) =>
        harness.get(SkuTable).put(uow, connection.id, `PAGE-${sku}`, { kind: 'ignore' }),
      );
    }
    const first = await harness.get(SkuTable).list(connection.id, { limit: 2 });
    expect(first.items.map((item) => item.channelSku)).toEqual(['MUG-2PACK', 'PAGE-A']);
    const second = await harness.get(SkuTable).list(connection.id, { limit: 10, cursor: first.nextCursor });
    expect(second.items.map((item) => item.channelSku)).toEqual(['PAGE-B', 'PAGE-C', 'SKU-1']);
    expect(second.nextCursor).toBeUndefined();
    expect(await codeOf(harness.get(SkuTable).list('no-such', { limit: 1 }))).toBe(
      'CHANNELS.CONNECTION_NOT_FOUND',
    );
  });
});
