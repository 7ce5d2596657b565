/**
 * Hand-written verification for carriers that sign only the body (AfterShip, EasyPost): their
 * schemes are a keyed HMAC-SHA256 of the raw bytes, which node:crypto computes directly, and
 * neither library's checker accepts several secrets or tells malformed from mismatched (see the
 * opening comment of easypost.carrier.ts).
 */
import { hmacSha256, safeEqual, verifyTimestampTolerance, WebhookRefusal } from '@waybill/platform';
import type { ParsedWebhook, WebhookVerdict } from './carrier';

/**
 * The second half of every carrier's verifyWebhook: once the signature holds, the body must read
 * (a signed body that does not is PAYLOAD_MALFORMED, stored never).
 */
export function readVerifiedBody(read: () => ParsedWebhook): WebhookVerdict {
  try {
    const parsed = read();
    return { ok: true, externalId: parsed.externalId, eventType: parsed.eventType };
  } catch (error) {
    return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: (error as Error).message };
  }
}

export interface BodyHmacCheck {
  readonly header: string | undefined;
  readonly headerName: string;
  /** What the header must look like, for the error message. */
  readonly format: string;
  /** The signature bytes the header carries, or undefined when it is malformed. */
  readonly decode: (header: string) => Buffer | undefined;
  readonly key: (secret: string) => Buffer | string;
  readonly rawBody: Buffer;
  readonly secrets: readonly string[];
}

/**
 * The scheme of the aggregators (AfterShip, EasyPost): one HMAC-SHA256 of the raw body in one
 * header, no signed timestamp. Any configured secret may match (rotation); every secret is tried,
 * so the time taken does not tell which one matched. Undefined when the signature holds.
 */
function verifyBodyHmac(check: BodyHmacCheck): WebhookRefusal | undefined {
  if (check.secrets.length === 0) {
    return {
      ok: false,
      rejection: 'NOT_CONFIGURED',
      message: 'no webhook secret is configured for this carrier',
    };
  }
  const header = check.header?.trim();
  if (!header) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISSING',
      message: `the ${check.headerName} header is missing`,
    };
  }
  const signature = check.decode(header);
  if (!signature) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: `the ${check.headerName} header must be ${check.format}`,
    };
  }
  let matched = false;
  for (const secret of check.secrets) {
    matched = safeEqual(hmacSha256(check.key(secret), check.rawBody), signature) || matched;
  }
  return matched
    ? undefined
    : {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
        message: 'the signature does not match the body with any configured secret',
      };
}

/**
 * Replay bound for schemes without a signed timestamp: the event's own time sits inside the signed
 * body, so it cannot be moved without the secret. Too old (or far in the future) is refused like a
 * stale signature; a recent replay is caught by the inbox's dedup on the event id.
 */
export function eventAgeVerdict(
  occurredAtMs: number,
  maxAgeSeconds: number,
  now: Date,
): WebhookRefusal | undefined {
  if (verifyTimestampTolerance(Math.floor(occurredAtMs / 1000), maxAgeSeconds, now)) {
    return undefined;
  }
  return {
    ok: false,
    rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    message: `the event's own timestamp is more than ${maxAgeSeconds} s away from now`,
  };
}

/** A webhook read together with when its event happened by the sender's clock (inside the signed body). */
export interface TimedWebhook {
  readonly webhook: ParsedWebhook;
  readonly sentAtMs: number;
}

/** verifyWebhook for the aggregators' scheme: the signature, then the body, then the event's age. */
export function verifyBodySignedWebhook(
  check: BodyHmacCheck,
  read: () => TimedWebhook,
  maxEventAgeSeconds: number,
  now: Date,
): WebhookVerdict {
  const refusal = verifyBodyHmac(check);
  if (refusal) {
    return refusal;
  }
  let sentAtMs = Number.NaN;
  const verdict = readVerifiedBody(() => {
    const timed = read();
    sentAtMs = timed.sentAtMs;
    return timed.webhook;
  });
  if (!verdict.ok) {
    return verdict;
  }
  return eventAgeVerdict(sentAtMs, maxEventAgeSeconds, now) ?? verdict;
}
