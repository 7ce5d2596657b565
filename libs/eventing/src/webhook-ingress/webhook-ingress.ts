import { HttpException, Inject, Injectable, Optional, Provider, Type } from '@nestjs/common';
import { WebhookOutcomes } from '@waybill/platform';
import { UnitOfWork, UnitsOfWork } from '../unit-of-work/unit-of-work';
import {
  StoredWebhook,
  WebhookHandler,
  WebhookInbox,
  WebhookInboxOptions,
  webhookInboxProviders,
} from '../webhook-inbox/webhook-inbox';
import { ReceivedWebhook, storableHeaders, WebhookInboxStore } from '../webhook-inbox/webhook-inbox.store';
import {
  pickHeaders,
  WebhookAcknowledgement,
  WebhookHeaders,
  WebhookRefusal,
  WebhookSource,
} from './webhook-source';

export interface WebhookIngressOptions {
  /**
   * The service's one size limit for webhook bodies (its `<SERVICE>_…WEBHOOK_MAX_BYTES`): larger
   * ones are refused, counted, with 413 `WEBHOOK.PAYLOAD_TOO_LARGE`, before any signature work.
   * The HTTP body parser's `HTTP_BODY_LIMIT_BYTES` still bounds what is read at all.
   */
  readonly maxBytes: number;
  /** The kind of sender, for messages: `payment provider`, `carrier`, `supplier`. */
  readonly senderKind: string;
}

export const WEBHOOK_INGRESS_OPTIONS = Symbol('WEBHOOK_INGRESS_OPTIONS');

/** A webhook as the apply step sees it: the stored row and what its source read from it. */
export interface ApplyingWebhook<Read> {
  readonly stored: StoredWebhook;
  readonly read: Read;
}

/**
 * The one way a webhook enters a service, whoever sent it: the size limit, the source's verify on
 * the raw bytes, one rejection vocabulary counted in `waybill_webhooks_total{source,outcome}`, one
 * store (`webhook_inbox`: the raw body and the headers the source names, deduplicated on the
 * source's delivery id), then either
 *
 * - `receive`: stored and answered at once, applied by the WebhookInboxWorker in the background
 *   (retried with bounded backoff, replayable) — for senders that only need a 2xx; or
 * - `receiveAndApply`: applied in the request, in the transaction that stores it, for senders who
 *   must see a refusal of the content itself (a 4xx); a refusal rolls back the dedup row too, so
 *   the same delivery is refused the same way again.
 *
 * Either way the answer is the source's own acknowledgement.
 */
@Injectable()
export class WebhookIngress {
  constructor(
    @Inject(WEBHOOK_INGRESS_OPTIONS) private readonly options: WebhookIngressOptions,
    private readonly store: WebhookInboxStore,
    private readonly outcomes: WebhookOutcomes,
    private readonly unitsOfWork: UnitsOfWork,
    @Optional() private readonly inbox?: WebhookInbox,
  ) {}

  /** Verifies and stores; the worker applies it after the answer. */
  async receive<Read>(
    source: WebhookSource<Read>,
    rawBody: Buffer,
    headers: WebhookHeaders,
    now = new Date(),
  ): Promise<WebhookAcknowledgement> {
    const received = this.verified(source, rawBody, headers, now);
    if (received === undefined) {
      return source.acknowledge({ duplicate: false, ignored: true });
    }
    if ('refused' in received) {
      return received.refused;
    }
    const { id, duplicate } = await this.background().store(received);
    return source.acknowledge({ id, duplicate, ignored: false });
  }

  /** Verifies, then stores and applies in one transaction inside the request. */
  async receiveAndApply<Read, Applied>(
    source: WebhookSource<Read, Applied>,
    rawBody: Buffer,
    headers: WebhookHeaders,
    apply: (uow: UnitOfWork, webhook: ApplyingWebhook<Read>) => Promise<Applied>,
    now = new Date(),
  ): Promise<WebhookAcknowledgement> {
    const received = this.verified(source, rawBody, headers, now);
    if (received === undefined) {
      return source.acknowledge({ duplicate: false, ignored: true });
    }
    if ('refused' in received) {
      return received.refused;
    }
    const receipt = await this.unitsOfWork.run(async (uow) => {
      const id = await this.store.insertApplied(uow.manager, received);
      if (id === undefined) {
        return { id: await this.store.idOf(received.source, received.externalId), duplicate: true };
      }
      const stored: StoredWebhook = {
        ...received,
        id,
        headers: storableHeaders(received.headers),
        attempts: 0,
        receivedAt: now,
      };
      const read = source.read(stored.rawBody, stored.headers);
      return { id, duplicate: false, applied: await apply(uow, { stored, read }) };
    });
    // Counted once committed: a webhook refused for its content (a 4xx from apply) is neither.
    if (receipt.duplicate) {
      this.outcomes.duplicate(source.name);
    } else {
      this.outcomes.verified(source.name);
    }
    return source.acknowledge({ ...receipt, ignored: false });
  }

  /** An operator's replay of a stored webhook (background sources); undefined when there is none. */
  replay(source: string, id: string): Promise<StoredWebhook | undefined> {
    return this.background().replay(source, id);
  }

  /**
   * Undefined for a verified webhook of a type nothing acts on. A refusal is counted, then either
   * answered in the source's own words (`refused`) or thrown as the ingress's HTTP answer.
   */
  private verified<Read, Applied>(
    source: WebhookSource<Read, Applied>,
    rawBody: Buffer,
    headers: WebhookHeaders,
    now: Date,
  ): ReceivedWebhook | { readonly refused: WebhookAcknowledgement } | undefined {
    const { maxBytes, senderKind } = this.options;
    if (rawBody.length > maxBytes) {
      return this.refuse(source, {
        ok: false,
        rejection: 'PAYLOAD_TOO_LARGE',
        message: `the body is ${rawBody.length} bytes; ${senderKind} webhooks may have at most ${maxBytes}`,
      });
    }
    const verdict = source.verify(rawBody, headers, now);
    if (!verdict.ok) {
      return this.refuse(source, verdict);
    }
    if (verdict.ignored) {
      return undefined;
    }
    return {
      source: source.name,
      externalId: verdict.externalId,
      eventType: verdict.eventType,
      rawBody,
      headers: pickHeaders(headers, source.storedHeaders),
    };
  }

  private refuse<Read, Applied>(
    source: WebhookSource<Read, Applied>,
    refusal: WebhookRefusal,
  ): { readonly refused: WebhookAcknowledgement } {
    const answer: HttpException = this.outcomes.refuse(source.name, refusal.rejection, refusal.message);
    if (!source.refuse) {
      throw answer;
    }
    return { refused: source.refuse(refusal) };
  }

  private background(): WebhookInbox {
    if (!this.inbox) {
      throw new Error('this service applies its webhooks in the request: it has no background inbox');
    }
    return this.inbox;
  }
}

export interface WebhookIngressProviderOptions extends WebhookIngressOptions {
  /** Applies stored webhooks in the background; omitted when every source applies in the request. */
  readonly handler?: Type<WebhookHandler>;
  readonly inbox?: WebhookInboxOptions;
}

/** The ingress (and, with a handler, the background inbox and its worker) for a service module. */
export function webhookIngressProviders(options: WebhookIngressProviderOptions): Provider[] {
  const { handler, inbox, ...ingress } = options;
  return [
    { provide: WEBHOOK_INGRESS_OPTIONS, useValue: ingress },
    ...(handler ? webhookInboxProviders(handler, inbox) : [WebhookInboxStore]),
    WebhookIngress,
  ];
}
