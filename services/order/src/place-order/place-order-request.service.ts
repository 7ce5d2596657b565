import { Injectable } from '@nestjs/common';
import { IdempotentAnswer, IdempotentRequests, UnitOfWork, UnitsOfWork } from '@waybill/eventing';
import { DuplicateStorefrontOrder } from '../order-errors';
import { OrderView, toOrderView } from '../policies/order-view';
import { PlaceOrder, PlaceOrderCommand } from './place-order.service';

export interface PlaceOrderRequest {
  /** The caller, e.g. `storefront/shop-eu`: keys are scoped to it. */
  readonly principal: string;
  readonly command: PlaceOrderCommand;
  /** The body as received (validated); its fingerprint binds the key to this request. */
  readonly body: unknown;
  readonly idempotencyKey?: string;
}

/** The order as created, or the stored answer of an earlier request with the same key. */
export type PlaceOrderResponse = IdempotentAnswer<OrderView>;

/**
 * `POST /v1/orders` with Stripe's Idempotency-Key semantics (`IdempotentRequests`): the order, its
 * order.placed and the key's stored answer commit together.
 */
@Injectable()
export class PlaceOrderRequestHandler {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly placeOrder: PlaceOrder,
    private readonly idempotent: IdempotentRequests,
  ) {}

  async handle(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    // Business-rule failures are answered before the key is touched: they store nothing.
    this.placeOrder.check(request.command);
    return this.idempotent.run(
      { principal: request.principal, key: request.idempotencyKey, request: request.body },
      async (manager) => ({
        status: 201,
        body: await this.place(this.units.within(manager), request.command),
      }),
    );
  }

  private async place(uow: UnitOfWork, command: PlaceOrderCommand): Promise<OrderView> {
    const outcome = await this.placeOrder.execute(uow, command);
    if (outcome.kind === 'duplicate') {
      throw new DuplicateStorefrontOrder(outcome.orderId, command.storefrontOrderId);
    }
    return toOrderView(outcome.order, outcome.timeline);
  }
}
