import { waitFor } from '@waybill/testing';
import type { PaymentGatewayDriver } from '../services/payment/test/support/payment-gateway-drivers';
import {
  PAYMENT_GATEWAY_VARIANTS,
  PaymentGatewayVariant,
} from '../services/payment/test/support/payment-gateways';
import { followNextAction } from '../services/payment/test/support/next-action';
import { orderBody, SagaStack, uniqueSku } from './support/saga-stack';

const VARIANTS = PAYMENT_GATEWAY_VARIANTS.filter((variant) => variant.inSagaE2e);

/**
 * The whole saga — order, inventory, payment and logistics on the real Kafka and PostgreSQL —
 * paid through each gateway whose buyer acts (a QR code, a redirect), every gateway enabled at
 * once as a merchant would run them: the order waits for the buyer showing what to do, confirms
 * when they pay, ships and has its money; one never paid is cancelled with its stock released.
 */
describe('the order saga paid through the Chinese gateways', () => {
  let stack: SagaStack;
  const gateways = new Map<PaymentGatewayVariant, PaymentGatewayDriver>();

  beforeAll(async () => {
    for (const variant of VARIANTS) {
      gateways.set(variant, await variant.start());
    }
    const env = Object.assign({}, ...[...gateways.values()].map((gateway) => gateway.env())) as Record<
      string,
      string
    >;
    stack = await SagaStack.start({
      withLogistics: true,
      env: { ...env, PAYMENT_ACTION_SWEEP_INTERVAL_MS: '200', PAYMENT_ACTION_QUERY_INTERVAL_SECONDS: '1' },
    });
    for (const gateway of gateways.values()) {
      gateway.attach(stack.payment);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
  });

  function cnyOrder(provider: string, sku: string, quantity: number): Record<string, unknown> {
    const body = orderBody([{ sku, quantity, unitPrice: 1990 }]);
    return { ...body, currency: 'CNY', payment: { provider, token: 'buyer-scans' } };
  }

  describe.each(VARIANTS)('$name', (variant) => {
    const gateway = () => {
      const found = gateways.get(variant);
      if (!found) {
        throw new Error(`${variant.name} did not start`);
      }
      return found;
    };

    it('waits for the buyer showing what to do, confirms when they pay, ships, and has the money', async () => {
      const sku = uniqueSku(`${gateway().provider}-paid`);
      await stack.setStock(sku, 5);
      const placed = await stack.placeOrder(cnyOrder(gateway().provider, sku, 2));
      expect(placed.status).toBe(201);
      const orderId = placed.body.id;

      const waiting = await stack.waitForStatus(orderId, 'AWAITING_PAYMENT');
      const nextAction = waiting.payment.nextAction;
      expect(nextAction?.type === 'qr_code' ? nextAction.qrCode : nextAction?.url).toBeTruthy();
      expect(Date.parse(nextAction?.expiresAt ?? '')).toBeGreaterThan(Date.now());

      if (nextAction) {
        await followNextAction(nextAction);
      }
      await gateway().buyerPays(orderId);
      const shipped = await stack.waitForStatus(orderId, 'SHIPPED');
      expect(shipped.payment.nextAction).toBeUndefined();
      expect(shipped.timeline.map((step) => step.status)).toEqual([
        'PENDING',
        'RESERVED',
        'AWAITING_PAYMENT',
        'CONFIRMED',
        'SHIPPED',
      ]);
      const captured = await stack.probe.waitForEvent(
        'waybill.payment.captured.v1',
        (data: { orderId: string }) => data.orderId === orderId,
      );
      expect(captured.data).toMatchObject({ provider: gateway().provider, amount: 3980, currency: 'CNY' });
      if (variant.captureMode === 'manual') {
        expect(gateway().captures(orderId)).toEqual([3980]);
      }
      await waitFor(async () => (await stack.stock(sku)).onHand === 3, {
        description: 'the reservation to be committed on shipment',
      });
      expect(gateway().refunds(orderId)).toEqual([]);
    });

    it('cancels an order the buyer never pays for, closes the trade and releases the stock', async () => {
      const sku = uniqueSku(`${gateway().provider}-unpaid`);
      await stack.setStock(sku, 4);
      const placed = await stack.placeOrder(cnyOrder(gateway().provider, sku, 4));
      const orderId = placed.body.id;
      const waiting = await stack.waitForStatus(orderId, 'AWAITING_PAYMENT');
      if (waiting.payment.nextAction) {
        await followNextAction(waiting.payment.nextAction);
      }
      expect(await stack.stock(sku)).toMatchObject({ reserved: 4, available: 0 });

      // The buyer's time runs out: the test moves the deadline, not the clock.
      await stack.payment.app
        .get((await import('typeorm')).DataSource)
        .query(`UPDATE payments SET action_expires_at = now() - interval '1 second' WHERE order_id = $1`, [
          orderId,
        ]);
      const cancelled = await stack.waitForStatus(orderId, 'CANCELLED');
      expect(cancelled.statusReason).toBe('ORDER.PAYMENT_EXPIRED');
      await waitFor(async () => (await stack.stock(sku)).reserved === 0, {
        description: 'the stock to be released',
      });
      expect(await stack.stock(sku)).toMatchObject({ onHand: 4, available: 4 });
      expect(gateway().tradeStatus(orderId)).toBe(variant.closedStatus);
    });
  });
});
