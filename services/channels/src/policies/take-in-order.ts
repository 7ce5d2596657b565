import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import type { ConnectionView } from '../domain/connection';
import type { CanonicalOrder, HoldReason, MappingOutcome } from '../domain/canonical-order';
import {
  ChannelOrderRecord,
  ChannelOrderRepository,
  ChannelOrderState,
  ReceivedVia,
} from '../persistence/channel-order.repository';
import { SkuMappingRepository } from '../persistence/sku-mapping.repository';
import type { DeliveryTaken } from '../platforms/channel-webhook-source';
import { mapOrderPayload, OrderStanding, orderStanding } from '../platforms/order-payload';
import type { OrderPayload } from '../platforms/storefront-api';

export const ORDER_SUBMITTED = 'waybill.storefront.order-submitted.v1';
export const ORDER_CANCELLATION_REQUESTED = 'waybill.storefront.order-cancellation-requested.v1';

export interface TakeInOrderCommand {
  readonly connection: ConnectionView;
  readonly payload: OrderPayload;
  readonly via: ReceivedVia;
  readonly now?: Date;
}

/**
 * One platform order in, however it came (a webhook, the reconciliation poller, an operator's
 * release): deduplicated on (channel, store, external order id) under a row lock, so a webhook,
 * its retries and the poller's copy make one Waybill order. A paid order is mapped and either
 * submitted — `waybill.storefront.order-submitted.v1` through the outbox, in this transaction — or
 * held with every reason; an unpaid one waits; a cancelled one is cancelled here and, if it was
 * submitted, downstream through `order-cancellation-requested`. Nothing is dropped: a body that
 * cannot be read at all is stored and held too.
 */
@Injectable()
export class TakeInOrder {
  private readonly logger = new Logger('ChannelIntake');

  constructor(
    private readonly orders: ChannelOrderRepository,
    private readonly skus: SkuMappingRepository,
  ) {}

  async execute(uow: UnitOfWork, command: TakeInOrderCommand): Promise<DeliveryTaken> {
    const now = command.now ?? new Date();
    const { connection, payload, via } = command;
    const standing = orderStanding(payload);
    const { externalOrderId } = standing;
    if (externalOrderId === undefined) {
      // No order id, so nothing to dedupe on: kept (held) for an operator to look at.
      const mapped = await this.map(uow, connection, payload);
      const held = await this.orders.insert(
        uow.manager,
        { ...this.identity(connection, null), ...heldState(mapped, payload, via) },
        now,
      );
      return { outcome: 'held', ...(held && { channelOrderId: held.id }) };
    }
    const key = { channel: connection.channel, store: connection.store, externalOrderId };
    let existing = await this.orders.lockByExternalId(uow.manager, key);
    if (!existing) {
      const next = await this.nextState(uow, connection, payload, via, standing);
      const inserted = await this.orders.insert(
        uow.manager,
        { ...this.identity(connection, externalOrderId), ...next.state },
        now,
      );
      if (inserted) {
        await this.publish(uow, connection, inserted, next.state, standing);
        return { outcome: inserted.status, channelOrderId: inserted.id };
      }
      // Another delivery of this order committed first; go on from its row.
      existing = await this.orders.lockByExternalId(uow.manager, key);
      if (!existing) {
        throw new Error(`channel order ${externalOrderId} conflicted but cannot be read`);
      }
    }
    return this.advance(uow, { connection, payload, via, now }, existing, standing);
  }

  /** An operator's release of a held order after the SKU table or the connection was fixed. */
  async release(
    uow: UnitOfWork,
    connection: ConnectionView,
    order: ChannelOrderRecord,
    now = new Date(),
  ): Promise<{ readonly order: ChannelOrderRecord; readonly reasons?: readonly HoldReason[] }> {
    const payload: OrderPayload = { format: order.payloadFormat, rawBody: order.rawPayload };
    const standing = orderStanding(payload);
    const next = await this.nextState(uow, connection, payload, 'release', standing);
    if (next.state.status === 'held') {
      return { order, reasons: next.state.holdReasons ?? [] };
    }
    const updated = await this.orders.update(uow.manager, order.id, next.state, now);
    await this.publish(uow, connection, updated, next.state, standing);
    return { order: updated };
  }

  private async advance(
    uow: UnitOfWork,
    command: Required<Omit<TakeInOrderCommand, 'now'>> & { now: Date },
    existing: ChannelOrderRecord,
    standing: OrderStanding,
  ): Promise<DeliveryTaken> {
    const { connection, payload, via, now } = command;
    switch (existing.status) {
      case 'cancelled':
        return { outcome: 'duplicate', channelOrderId: existing.id };
      case 'submitted': {
        if (!standing.cancelled) {
          return { outcome: 'duplicate', channelOrderId: existing.id };
        }
        const cancelled = await this.orders.update(
          uow.manager,
          existing.id,
          { ...stateOf(existing), status: 'cancelled', receivedVia: via },
          now,
        );
        await this.requestCancellation(uow, connection, cancelled, standing);
        return { outcome: 'cancelled', channelOrderId: existing.id };
      }
      case 'held':
      case 'awaiting_payment': {
        // The same copy again (a retry, the poller's overlap) is a duplicate: a held order waits
        // for an operator's release, not for the next poll to map it again.
        if (existing.payloadFormat === payload.format && existing.rawPayload === payload.rawBody) {
          return { outcome: 'duplicate', channelOrderId: existing.id };
        }
        // A newer copy of an order not yet submitted is mapped again: it may be paid by now, or
        // carry the SKU the merchant fixed on the platform.
        const next = await this.nextState(uow, connection, payload, via, standing);
        const updated = await this.orders.update(uow.manager, existing.id, next.state, now);
        await this.publish(uow, connection, updated, next.state, standing);
        return { outcome: updated.status, channelOrderId: updated.id };
      }
    }
  }

  private async nextState(
    uow: UnitOfWork,
    connection: ConnectionView,
    payload: OrderPayload,
    via: ReceivedVia,
    standing: OrderStanding,
  ): Promise<{ readonly state: ChannelOrderState }> {
    const base = { receivedVia: via, payloadFormat: payload.format, rawPayload: payload.rawBody };
    const version = `${connection.channel}@mapping-${connection.mappingVersion}`;
    if (standing.cancelled) {
      return { state: { ...base, status: 'cancelled', mappingVersion: version } };
    }
    if (!standing.paid) {
      return { state: { ...base, status: 'awaiting_payment', mappingVersion: version } };
    }
    const mapped = await this.map(uow, connection, payload);
    if (mapped.status === 'held') {
      return { state: heldState(mapped, payload, via) };
    }
    return {
      state: {
        ...base,
        status: 'submitted',
        mappingVersion: mapped.mappingVersion,
        canonicalOrder: mapped.order,
      },
    };
  }

  private async map(
    uow: UnitOfWork,
    connection: ConnectionView,
    payload: OrderPayload,
  ): Promise<MappingOutcome> {
    return mapOrderPayload(payload, {
      context: {
        storefrontId: connection.storefrontId,
        channel: connection.channel,
        timezone: connection.defaults.timezone,
        currency: connection.defaults.currency,
      },
      skuTable: await this.skus.table(uow.manager, connection.id),
      ...(connection.mapping && {
        overlay: { expression: connection.mapping.overlay, version: String(connection.mappingVersion) },
      }),
    });
  }

  /** Publishes what the new state owes downstream: the submission of a newly submitted order. */
  private async publish(
    uow: UnitOfWork,
    connection: ConnectionView,
    order: ChannelOrderRecord,
    state: ChannelOrderState,
    standing: OrderStanding,
  ): Promise<void> {
    if (state.status !== 'submitted' || !state.canonicalOrder) {
      if (state.status === 'held') {
        this.logger.warn(
          `${connection.id}: order ${order.externalOrderId ?? '(no id)'} held: ${(state.holdReasons ?? [])
            .map((reason) => reason.message)
            .join('; ')}`,
        );
      }
      return;
    }
    const submitted: CanonicalOrder = state.canonicalOrder;
    await uow.publish({
      type: ORDER_SUBMITTED,
      subject: submitted.storefrontOrderId,
      data: submitted,
      source: `/storefronts/${connection.storefrontId}`,
    });
    this.logger.log(
      `${connection.id}: order ${submitted.storefrontOrderId} (${standing.platformStatus}) submitted as ${order.id}`,
    );
  }

  private async requestCancellation(
    uow: UnitOfWork,
    connection: ConnectionView,
    order: ChannelOrderRecord,
    standing: OrderStanding,
  ): Promise<void> {
    const storefrontOrderId = order.canonicalOrder?.storefrontOrderId ?? order.externalOrderId;
    if (!storefrontOrderId) {
      return;
    }
    await uow.publish({
      type: ORDER_CANCELLATION_REQUESTED,
      subject: storefrontOrderId,
      data: {
        storefrontId: connection.storefrontId,
        storefrontOrderId,
        reason: `cancelled on ${connection.channel}: ${standing.platformStatus}`.slice(0, 500),
        requestedAt: new Date().toISOString(),
      },
      source: `/storefronts/${connection.storefrontId}`,
    });
    this.logger.log(
      `${connection.id}: order ${storefrontOrderId} cancelled on the platform; cancellation requested`,
    );
  }

  private identity(connection: ConnectionView, externalOrderId: string | null) {
    return {
      id: randomUUID(),
      connectionId: connection.id,
      channel: connection.channel,
      store: connection.store,
      storefrontId: connection.storefrontId,
      externalOrderId,
    };
  }
}

function heldState(mapped: MappingOutcome, payload: OrderPayload, via: ReceivedVia): ChannelOrderState {
  return {
    status: 'held',
    receivedVia: via,
    payloadFormat: payload.format,
    rawPayload: payload.rawBody,
    mappingVersion: mapped.mappingVersion,
    holdReasons:
      mapped.status === 'held'
        ? mapped.reasons
        : [{ stage: 'payload', part: 'id', message: 'the order names no readable order id' }],
  };
}

function stateOf(order: ChannelOrderRecord): ChannelOrderState {
  return {
    status: order.status,
    receivedVia: order.receivedVia,
    payloadFormat: order.payloadFormat,
    rawPayload: order.rawPayload,
    mappingVersion: order.mappingVersion,
    ...(order.holdReasons && { holdReasons: order.holdReasons }),
    ...(order.canonicalOrder && { canonicalOrder: order.canonicalOrder }),
  };
}
