import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@waybill/eventing';
import { judgeHeldKey, requestFingerprint } from '../domain/idempotency';
import { OrderConfig } from '../order.config';
import {
  DuplicateStorefrontOrder,
  IdempotencyKeyReused,
  IdempotencyRequestInProgress,
} from '../order-errors';
import { IdempotencyKeyRepository, KeyClaim } from '../persistence/idempotency-key.repository';
import { OrderView, toOrderView } from '../query-orders/order-view';
import { PlaceOrder, PlaceOrderCommand } from './place-order.service';

export interface PlaceOrderRequest {
  /** The caller, e.g. `storefront/shop-eu`: keys are scoped to it. */
  readonly principal: string;
  readonly command: PlaceOrderCommand;
  /** The body as received (validated); its fingerprint binds the key to this request. */
  readonly body: unknown;
  readonly idempotencyKey?: string;
}

export interface PlaceOrderResponse {
  readonly status: number;
  readonly body: OrderView;
  /** True when this is the stored answer to an earlier request with the same key. */
  readonly replayed: boolean;
}

/** How often a claim is retried when the key row vanishes between our claim and our read. */
const CLAIM_ATTEMPTS = 3;

/**
 * `POST /v1/orders` with Stripe's Idempotency-Key semantics. The key is claimed in its own short
 * statement (so concurrent requests see it in flight at once); the owner places the order and
 * stores the response on the key in the order's transaction, so "order exists" and "key answers
 * with it" commit together. Any failure gives the key back for a retry.
 */
@Injectable()
export class PlaceOrderRequestHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly placeOrder: PlaceOrder,
    private readonly keys: IdempotencyKeyRepository,
    private readonly config: OrderConfig,
  ) {}

  async handle(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    // Business-rule failures are answered before the key is touched: they store nothing.
    this.placeOrder.check(request.command);
    if (request.idempotencyKey === undefined) {
      return { status: 201, body: await this.place(request.command), replayed: false };
    }

    const requestHash = requestFingerprint(request.body);
    for (let attempt = 1; ; attempt++) {
      const claim = await this.keys.claim(
        request.principal,
        request.idempotencyKey,
        requestHash,
        this.config.ORDER_IDEMPOTENCY_TTL_HOURS,
        this.config.ORDER_IDEMPOTENCY_ABANDON_AFTER_SECONDS,
      );
      if (claim)
        return { status: 201, body: await this.placeAsOwner(request.command, claim), replayed: false };

      const held = await this.keys.find(request.principal, request.idempotencyKey);
      if (!held) {
        // Released or expired between the two statements: claim again.
        if (attempt < CLAIM_ATTEMPTS) continue;
        throw new IdempotencyRequestInProgress();
      }
      switch (judgeHeldKey(held, requestHash)) {
        case 'key-reused':
          throw new IdempotencyKeyReused();
        case 'in-progress':
          throw new IdempotencyRequestInProgress();
        case 'replay':
          return { status: held.responseStatus ?? 201, body: held.responseBody as OrderView, replayed: true };
      }
    }
  }

  private async placeAsOwner(command: PlaceOrderCommand, claim: KeyClaim): Promise<OrderView> {
    try {
      return await this.place(command, async (manager, view) => {
        // Taken over after we were presumed crashed: the new owner answers, we roll back.
        if (!(await this.keys.complete(manager, claim, 201, view))) throw new IdempotencyRequestInProgress();
      });
    } catch (error) {
      await this.keys.release(claim);
      throw error;
    }
  }

  private async place(
    command: PlaceOrderCommand,
    beforeCommit?: (manager: DataSource['manager'], view: OrderView) => Promise<void>,
  ): Promise<OrderView> {
    return this.dataSource.transaction(async (manager) => {
      const outcome = await this.placeOrder.execute(
        { manager, publish: (events) => this.outbox.enqueue(manager, events) },
        command,
      );
      if (outcome.kind === 'duplicate')
        throw new DuplicateStorefrontOrder(outcome.orderId, command.storefrontOrderId);
      const view = toOrderView(outcome.order, outcome.timeline);
      await beforeCommit?.(manager, view);
      return view;
    });
  }
}
