/**
 * What the channels service asks of a platform's Admin API, one adapter per platform behind this
 * interface (`<platform>.api.ts`): the orders modified since a watermark, for the reconciliation
 * poller that recovers missed webhooks, and telling the platform that an order shipped, for the
 * tracking-back dispatcher. A platform's refusal, an outage or a timeout is a returned outcome,
 * never an exception; an exception is a bug.
 */
import type { Channel } from '../domain/canonical-order';
import type { ConnectionSecrets, ConnectionView } from '../domain/connection';

/** Who is asked: the connection (its store, API base, defaults) and its opened credentials. */
export interface PlatformCall {
  readonly connection: ConnectionView;
  readonly secrets: ConnectionSecrets;
  /** Per request; a platform that does not answer within it is a `retry` outcome. */
  readonly timeoutMs: number;
}

/**
 * The shape of a stored order payload, so the same mapper reads it whether a webhook or the
 * poller brought it. Shopify's Admin GraphQL answers a different shape than its REST webhooks.
 */
export type PayloadFormat = 'shopify-rest' | 'shopify-graphql' | 'woocommerce-rest' | 'youzan-trade';

export interface OrderPayload {
  readonly format: PayloadFormat;
  /** The JSON text as the platform sent it (64-bit ids still as digits). */
  readonly rawBody: string;
}

export interface PolledOrder {
  /** As the mappers read it: Shopify's numeric id (legacyResourceId), WooCommerce's id, Youzan's tid. */
  readonly externalOrderId: string;
  /** UTC ISO 8601: the platform's modification time, what the watermark advances by. */
  readonly updatedAt: string;
  /** The platform says the order is cancelled. */
  readonly cancelled: boolean;
  readonly payload: OrderPayload;
}

export interface ModifiedOrdersQuery {
  /** UTC ISO 8601; orders modified at or after it are answered (the poller dedupes). */
  readonly since: string;
  /** The platform's page cursor from the previous page of the same query. */
  readonly cursor?: string;
  /** At most this many orders per page. */
  readonly limit: number;
}

export type ModifiedOrdersOutcome =
  | {
      readonly status: 'page';
      /** Oldest modification first. */
      readonly orders: readonly PolledOrder[];
      /** Where the next page starts, when there is one. */
      readonly nextCursor?: string;
    }
  /** Worth asking again later: an outage, a timeout, 429/5xx. */
  | { readonly status: 'retry'; readonly reason: string }
  /** Will not work until someone changes something: bad credentials, a missing scope, 4xx. */
  | { readonly status: 'failed'; readonly reason: string };

/** One parcel of a channel order, to be told to the platform. */
export interface TrackingReport {
  /** The platform's order id, as PolledOrder names it. */
  readonly externalOrderId: string;
  /** Waybill's carrier slug (`easypost`, `sf`, `zto`, `sandbox`, …) and tracking number. */
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string;
  /** UTC ISO 8601, when the parcel was booked. */
  readonly shippedAt: string;
  /**
   * What an earlier report of this order's parcel answered: present, the report is an update of
   * that parcel's tracking, not a new parcel. Shopify: the fulfillment gid, updated with
   * `fulfillmentTrackingInfoUpdate`; WooCommerce: the Shipment Tracking `tracking_id`, replaced
   * (the extension has no update); Youzan answers none (a shipped trade takes no new tracking).
   */
  readonly platformRef?: string;
}

export type TrackingReportOutcome =
  /**
   * The platform has it (also when it had it already: a repeated report is this outcome);
   * `platformRef` is what a later update of this parcel needs.
   */
  | { readonly status: 'reported'; readonly platformRef?: string }
  | { readonly status: 'retry'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

export interface StorefrontApi {
  readonly channel: Channel;
  ordersModifiedSince(call: PlatformCall, query: ModifiedOrdersQuery): Promise<ModifiedOrdersOutcome>;
  /**
   * Tells the platform the order shipped with this parcel, or updates the tracking of a parcel it
   * was told before. Reporting the same parcel again is `reported`, never a second fulfilment.
   */
  reportTracking(call: PlatformCall, report: TrackingReport): Promise<TrackingReportOutcome>;
}
