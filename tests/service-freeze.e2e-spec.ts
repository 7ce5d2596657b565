import { ProcessStack } from './support/process-stack';

jest.setTimeout(300_000);

const SESSION_TIMEOUT_MS = 10_000;
/** Past the session timeout: the group gives the frozen member's partitions away and forgets it. */
const FREEZE_MS = 2.2 * SESSION_TIMEOUT_MS;
const ORDERS = 120;
const PER_SECOND = 4;
/** After the last thaw, every order reaches its final state within this (stated in the README). */
const SETTLE_BOUND_MS = 90_000;

/**
 * Issue 19's stall: payment, then inventory, frozen with SIGSTOP past the consumer session timeout
 * during a steady load (a long GC pause, a stopped VM, CPU throttling do the same), then resumed.
 * Before, both came back to "The coordinator is not aware of this member" and never consumed
 * again while their processes stayed up; now each replaces its consumer and the orders settle,
 * each charged, shipped and taken from stock once.
 */
describe('a service frozen past its consumer session timeout during load', () => {
  let stack: ProcessStack;

  beforeAll(async () => {
    stack = await ProcessStack.start({
      name: 'freeze',
      env: { CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('resumes consuming when it thaws, and every order settles once', async () => {
    const frozen: Promise<void>[] = [];
    const freeze = (service: 'payment' | 'inventory'): Promise<void> => {
      const { child } = stack.services[service];
      child.kill('SIGSTOP');
      return new Promise((resolve) =>
        setTimeout(() => {
          child.kill('SIGCONT');
          resolve();
        }, FREEZE_MS),
      );
    };
    const load = await stack.placeOrders({
      orders: ORDERS,
      perSecond: PER_SECOND,
      onPlaced: (index) => {
        if (index === 8) {
          frozen.push(freeze('payment'));
        }
        if (index === 8 + Math.round((FREEZE_MS / 1000) * PER_SECOND * 0.6)) {
          frozen.push(freeze('inventory'));
        }
      },
    });
    await Promise.all(frozen);

    await stack.waitUntilSettled(load.orderIds, SETTLE_BOUND_MS);
    expect(await stack.figuresOnceShipped(load)).toEqual({
      statuses: { SHIPPED: ORDERS },
      stock: { onHand: load.stockAtStart - ORDERS, reserved: 0 },
      paymentsCaptured: ORDERS,
      capturedAmount: ORDERS * 1000,
      shipments: ORDERS,
      ordersWithTwoShipments: 0,
      deadLettered: 0,
    });

    for (const service of ['payment', 'inventory'] as const) {
      // The freeze outlasted the session: the group had forgotten the member when it woke. kafkajs
      // rejoins by itself when it learns this from a fetch; when a commit learns it, kafkajs gives
      // the consumer up and the transport replaces it (waybill_consumer_restarts_total).
      expect(stack.services[service].output()).toMatch(/coordinator is not aware of this member/);
      const ready = await fetch(`${stack.services[service].baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
    }
  });
});
