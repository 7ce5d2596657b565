import type { PostalAddress } from '@waybill/contracts';
import type { WebhookAcknowledgement, WebhookReceipt } from '@waybill/eventing';
import type { WebhookHeaders, WebhookRefusal, WebhookRejection, WebhookVerdict } from '@waybill/platform';
import type { StatusMapping, TrackingUpdate } from '../domain/tracking-update';

export type {
  WebhookAcknowledgement,
  WebhookHeaders,
  WebhookReceipt,
  WebhookRefusal,
  WebhookRejection,
  WebhookVerdict,
};

export interface CreateShipmentRequest {
  readonly orderId: string;
  readonly shipmentId: string;
  /** Deterministic per order (`logistics:<orderId>:book`): a repeated call gets the first booking back. */
  readonly idempotencyKey: string;
  readonly recipient: PostalAddress;
  readonly shipFrom?: PostalAddress;
  readonly weightGrams: number;
}

export interface CancelShipmentRequest {
  readonly orderId: string;
  readonly trackingNumber: string;
  /** The carrier's own id for the booking, when it has one besides the tracking number. */
  readonly carrierShipmentId?: string;
  readonly idempotencyKey: string;
}

/** A decline or an outage is a result, never an exception (see DESIGN.md). */
export type BookingOutcome =
  | {
      readonly kind: 'booked';
      readonly trackingNumber: string;
      /** Where the label lives (a URL or a reference), never the label itself. */
      readonly labelRef?: string;
      readonly carrierShipmentId?: string;
      /** Booked, but something beside it failed that an operator should see (ZTO refused to push tracking). */
      readonly warning?: string;
    }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

export type CancellationOutcome =
  | { readonly kind: 'cancelled' }
  /** e.g. already picked up: the parcel travels on. */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

export interface ParsedWebhook {
  readonly externalId: string;
  readonly eventType: string;
  /** Empty for events that carry no tracking (e.g. a test ping). */
  readonly updates: readonly TrackingUpdate[];
  /**
   * A subscription-based aggregator (Kuaidi100 `abort`) stopped tracking this parcel before it
   * arrived: subscribe it again, no sooner than `afterMs` after the push was received.
   */
  readonly resubscribe?: { readonly trackingNumber: string; readonly afterMs: number };
}

/** What of a push's HTTP request besides its headers a carrier may authenticate it by. */
export interface PushRequest {
  /**
   * The last segment of `/v1/webhooks/carriers/:carrier/:token`: for carriers whose pushes carry
   * no signature (SF), the secret path is the credential. Never stored.
   */
  readonly pathToken?: string;
  /** The sender's address (Express `req.ip`; set `trust proxy` behind a load balancer), for allow-lists. */
  readonly remoteAddress?: string;
}

/**
 * One carrier or tracking aggregator. Adding a carrier is adding one file that implements this,
 * its fixtures, and an entry in the conformance suite (carriers/carrier-conformance.spec.ts).
 */
export interface Carrier {
  /** The slug in events and in `/v1/webhooks/carriers/:carrier`. */
  readonly name: string;
  /**
   * An aggregator (AfterShip) tracks parcels that other carriers booked: its updates match
   * shipments by tracking number alone. Any other carrier speaks only for its own shipments.
   */
  readonly aggregator: boolean;
  /** Every carrier code the adapter maps, for the README table and the conformance suite. */
  readonly statusTable: readonly StatusMapping[];
  createShipment(request: CreateShipmentRequest): Promise<BookingOutcome>;
  cancelShipment(request: CancelShipmentRequest): Promise<CancellationOutcome>;
  /**
   * How its pushes prove who sent them: a signature over the body (most), or a secret path token
   * (`/v1/webhooks/carriers/<name>/<token>`) for carriers that sign nothing. A token sent to a
   * signature carrier's path is refused, so there is exactly one way in per carrier.
   */
  readonly authenticatedBy: 'signature' | 'path-token';
  /** The request headers stored with a webhook's raw body: what readWebhook needs, and its signature. */
  readonly webhookHeaders: readonly string[];
  /**
   * Checks the signature on the exact raw bytes (against `now`), then that the body reads: only a
   * verified, readable webhook is stored. The webhook ingress reaches it through CarrierWebhookSource.
   */
  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date, request?: PushRequest): WebhookVerdict;
  /**
   * Reads an already verified raw body (the stored copy, possibly much later) into canonical
   * updates. Throws only on a body that does not read; an unknown status is an update, not an error.
   */
  readWebhook(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook;
  /**
   * The answer its pushes expect byte for byte, where the carrier insists on one (SF's
   * `{"return_code":"0000",…}`, ZTO's `{"status":true,…}`, Kuaidi100's `{"result":true,…}`).
   * Without it, the JSON `{ received, id, duplicate }` every other carrier takes.
   */
  acknowledge?(receipt: WebhookReceipt): WebhookAcknowledgement;
  /** The carrier's own failure answer for a refused push, where it reads one (so it retries). */
  refuse?(refusal: WebhookRefusal): WebhookAcknowledgement;
  /**
   * Aggregators that push only what was subscribed (Kuaidi100): one attempt to subscribe a
   * parcel; the tracking subscription worker retries it.
   */
  subscribe?(request: SubscribeTrackingRequest): Promise<SubscribeTrackingOutcome>;
}

/** A parcel another carrier booked, to be tracked by a subscription-based aggregator (Kuaidi100). */
export interface SubscribeTrackingRequest {
  /** The aggregator's code for the carrier that booked it (Kuaidi100: `shunfeng`, `zhongtong`, …). */
  readonly company: string;
  readonly trackingNumber: string;
  /** The consignee's phone, or its last 4 digits (SF requires it). */
  readonly phone?: string;
}

/** One subscribe attempt; a refusal or an outage is a value, never an exception. */
export type SubscribeTrackingOutcome =
  /** `alreadySubscribed`: the aggregator knew it (Kuaidi100 501), which is success too. */
  | { readonly kind: 'subscribed'; readonly alreadySubscribed: boolean }
  /** Retrying cannot help (bad key, unsupported carrier or number): an operator has to look. */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

/** Retry and timeout settings every carrier that calls out shares. */
export interface CarrierCallOptions {
  readonly timeoutMs: number;
  readonly retry: { readonly attempts: number; readonly initialBackoffMs: number };
}
