import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OrderPlacedV1 } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { checkOrderDraft, PREPAID_PAYMENT_PROVIDER } from '../domain/order-draft';
import { OrderConfig } from '../order.config';
import { InvalidOrder } from '../order-errors';
import {
  AddressRecord,
  Cause,
  CustomerRecord,
  OrderLineRecord,
  OrderRecord,
  OrderRepository,
  TimelineRecord,
} from '../persistence/order.repository';

export const ORDER_PLACED = 'waybill.order.placed.v1';

/** An order as a storefront submits it, over HTTP or Kafka. */
export interface PlaceOrderCommand {
  readonly storefrontId: string;
  readonly storefrontOrderId: string;
  readonly customer: CustomerRecord;
  readonly lines: readonly OrderLineRecord[];
  readonly currency: string;
  readonly totalAmount?: number;
  readonly shippingAddress: AddressRecord;
  /** `token` is the provider's payment-method reference: secret, never logged or stored in a row. */
  readonly payment: { readonly provider: string; readonly token: string };
  /** The event that carried the order, if any; otherwise the timeline names order.placed itself. */
  readonly cause?: Cause;
}

export type PlaceOrderOutcome =
  | {
      readonly kind: 'placed';
      readonly orderId: string;
      /** The order and its timeline as stored, for the answer to the request. */
      readonly order: OrderRecord;
      readonly timeline: readonly TimelineRecord[];
    }
  | { readonly kind: 'duplicate'; readonly orderId: string };

@Injectable()
export class PlaceOrder {
  /** Built once: the check on every order is one Set lookup, and only for `prepaid` orders. */
  private readonly prepaidStorefronts: ReadonlySet<string>;

  constructor(
    private readonly orders: OrderRepository,
    config: OrderConfig,
  ) {
    this.prepaidStorefronts = new Set(config.ORDER_PREPAID_STOREFRONTS);
  }

  /** Throws InvalidOrder for business-rule violations; call before any side effect if you like. */
  check(command: PlaceOrderCommand): { subtotal: number; total: number } {
    const { provider, token } = command.payment;
    const verdict = checkOrderDraft({
      lines: command.lines,
      totalAmount: command.totalAmount,
      paymentProvider: provider,
      paymentToken: token,
      storefrontMayPrepay:
        provider === PREPAID_PAYMENT_PROVIDER && this.prepaidStorefronts.has(command.storefrontId),
    });
    if (!verdict.ok) {
      throw new InvalidOrder(verdict.code, verdict.field, verdict.message);
    }
    return verdict.totals;
  }

  /**
   * Inserts the PENDING order and enqueues order.placed in `uow`'s transaction. A storefront order
   * id the storefront already used is a duplicate: nothing is written (the unique constraint makes
   * this hold under any race).
   */
  async execute(uow: UnitOfWork, command: PlaceOrderCommand): Promise<PlaceOrderOutcome> {
    const totals = this.check(command);
    const orderId = randomUUID();
    const order = await this.orders.insert(uow.manager, {
      id: orderId,
      storefrontId: command.storefrontId,
      storefrontOrderId: command.storefrontOrderId,
      currency: command.currency,
      subtotal: totals.subtotal,
      totalAmount: totals.total,
      customer: { id: command.customer.id, email: command.customer.email },
      lines: command.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      shippingAddress: plainAddress(command.shippingAddress),
      paymentProvider: command.payment.provider,
    });
    if (!order) {
      const existing = await this.orders.findIdByStorefrontOrderId(
        uow.manager,
        command.storefrontId,
        command.storefrontOrderId,
      );
      // The conflicting row is committed (ON CONFLICT waited for it), so it is visible here.
      if (!existing) {
        throw new Error('storefront order conflict without a visible order');
      }
      return { kind: 'duplicate', orderId: existing };
    }

    const eventId = randomUUID();
    const placed: OrderPlacedV1 = {
      orderId,
      storefrontId: command.storefrontId,
      storefrontOrderId: command.storefrontOrderId,
      customer: { id: command.customer.id, email: command.customer.email },
      lines: command.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      currency: command.currency,
      totalAmount: totals.total,
      shippingAddress: plainAddress(command.shippingAddress),
      payment: { provider: command.payment.provider, paymentMethodRef: command.payment.token },
      placedAt: new Date().toISOString(),
    };
    await uow.publish([{ id: eventId, type: ORDER_PLACED, subject: orderId, data: placed }]);
    const timeline = await this.orders.appendTimeline(
      uow.manager,
      orderId,
      [{ status: 'PENDING' }],
      command.cause ?? { eventId, eventType: ORDER_PLACED },
    );
    return { kind: 'placed', orderId, order, timeline };
  }
}

/** Copies only the address fields, dropping absent optional ones (class instances carry no extras). */
function plainAddress(address: AddressRecord): AddressRecord {
  const { name, line1, line2, city, region, postalCode, country, phone } = address;
  return {
    ...(name !== undefined && { name }),
    line1,
    ...(line2 !== undefined && { line2 }),
    city,
    ...(region !== undefined && { region }),
    postalCode,
    country,
    ...(phone !== undefined && { phone }),
  };
}
