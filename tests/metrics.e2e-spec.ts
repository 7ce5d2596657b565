import { MetricsScrape, waitFor } from '@waybill/testing';
import { orderBody, SagaStack, uniqueSku } from './support/saga-stack';

const PLACED = 'waybill.order.placed.v1';

/**
 * `/metrics` on every service moves with the work: one confirmed order shows up as an HTTP request,
 * as events produced and consumed by type, as handler time and as an order by status; the outbox
 * backlog returns to 0; a refused webhook is counted by reason.
 */
describe('metrics follow an order through the saga', () => {
  let stack: SagaStack;

  beforeAll(async () => {
    stack = await SagaStack.start({ env: { PAYMENT_SANDBOX_WEBHOOK_SECRET: 'sandbox-metrics-secret' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('counts the order, its events and its requests, and the outbox backlog returns to 0', async () => {
    const before = await MetricsScrape.of(stack.order.baseUrl);
    const inventoryBefore = await MetricsScrape.of(stack.inventory.baseUrl);
    const sku = uniqueSku('METRICS');
    await stack.setStock(sku, 5);

    const placed = await stack.placeOrder(orderBody([{ sku, quantity: 1 }]));
    expect(placed.status).toBe(201);
    await stack.waitForStatus(placed.body.id, 'CONFIRMED');

    const order = await waitFor(async () => {
      const scrape = await MetricsScrape.of(stack.order.baseUrl);
      return scrape.value('waybill_outbox_backlog') === 0 &&
        scrape.value('waybill_events_produced_total', { type: 'waybill.order.confirmed.v1' }) >
          before.value('waybill_events_produced_total', { type: 'waybill.order.confirmed.v1' })
        ? scrape
        : undefined;
    });
    expect(order.value('waybill_orders', { status: 'CONFIRMED' })).toBe(
      before.value('waybill_orders', { status: 'CONFIRMED' }) + 1,
    );
    expect(order.value('waybill_orders', { status: 'PENDING' })).toBe(
      before.value('waybill_orders', { status: 'PENDING' }),
    );
    const postCount = { method: 'POST', route: '/v1/orders', status: '201', service: 'order' };
    expect(order.value('waybill_http_request_duration_seconds_count', postCount)).toBe(
      before.value('waybill_http_request_duration_seconds_count', postCount) + 1,
    );
    expect(order.value('waybill_events_produced_total', { type: PLACED })).toBe(
      before.value('waybill_events_produced_total', { type: PLACED }) + 1,
    );
    expect(
      order.value('waybill_events_consumed_total', {
        type: 'waybill.payment.authorized.v1',
        outcome: 'applied',
      }),
    ).toBeGreaterThan(
      before.value('waybill_events_consumed_total', {
        type: 'waybill.payment.authorized.v1',
        outcome: 'applied',
      }),
    );
    expect(order.value('waybill_outbox_oldest_age_seconds')).toBe(0);

    const inventory = await MetricsScrape.of(stack.inventory.baseUrl);
    expect(inventory.value('waybill_events_consumed_total', { type: PLACED, outcome: 'applied' })).toBe(
      inventoryBefore.value('waybill_events_consumed_total', { type: PLACED, outcome: 'applied' }) + 1,
    );
    expect(inventory.value('waybill_event_handler_duration_seconds_count', { type: PLACED })).toBe(
      inventoryBefore.value('waybill_event_handler_duration_seconds_count', { type: PLACED }) + 1,
    );
    expect(inventory.has('waybill_consumer_lag_messages')).toBe(true);
    // Each service exposes only its own registry.
    expect(inventory.value('waybill_orders')).toBe(0);
    expect(inventory.value('waybill_events_produced_total', { service: 'order' })).toBe(0);
  });

  it('counts a webhook refused for its signature, by provider and reason', async () => {
    const response = await fetch(`${stack.payment.baseUrl}/v1/webhooks/payments/sandbox`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sandbox-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ id: 'evt_forged', type: 'payment.succeeded' }),
    });
    expect(response.status).toBe(401);
    const payment = await MetricsScrape.of(stack.payment.baseUrl);
    expect(
      payment.value('waybill_webhooks_total', { source: 'sandbox', outcome: 'signature_mismatch' }),
    ).toBe(1);
    // Registered in the running service (no samples while nothing fails).
    const text = await (await fetch(`${stack.payment.baseUrl}/metrics`)).text();
    expect(text).toContain('# TYPE waybill_webhooks_failing gauge');
  });
});
