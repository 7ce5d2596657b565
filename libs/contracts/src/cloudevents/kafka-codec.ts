import { CE_HEADER, CloudEvent, JSON_CONTENT_TYPE } from './cloud-event';

/** The shape kafkajs hands a consumer and takes from a producer, without depending on kafkajs. */
export interface KafkaRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface EncodedRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Why a Kafka record is not a CloudEvent; the code becomes the DLQ reason. MISSING_ATTRIBUTE: a
 * required header is absent or empty; INVALID_ATTRIBUTE: a header is malformed (ce_id not a uuid,
 * ce_time not RFC 3339); UNSUPPORTED: a spec version or content type we do not speak; NOT_JSON: the value.
 */
export class EnvelopeError extends Error {
  constructor(
    readonly code:
      | 'ENVELOPE.MISSING_ATTRIBUTE'
      | 'ENVELOPE.INVALID_ATTRIBUTE'
      | 'ENVELOPE.UNSUPPORTED'
      | 'ENVELOPE.NOT_JSON',
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** The attributes every event must carry (CloudEvents' required ones, and the subject Waybill keys by). */
type RequiredAttribute = 'specversion' | 'id' | 'source' | 'type' | 'time' | 'subject';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3339 requires the zone; Date.parse alone also takes "March 1" or a local time.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function encodeCloudEvent(event: CloudEvent, key: string = event.subject): EncodedRecord {
  const headers: Record<string, string> = {
    [CE_HEADER.specversion]: event.specversion,
    [CE_HEADER.id]: event.id,
    [CE_HEADER.source]: event.source,
    [CE_HEADER.type]: event.type,
    [CE_HEADER.time]: event.time,
    [CE_HEADER.subject]: event.subject,
    [CE_HEADER.contentType]: JSON_CONTENT_TYPE,
  };
  if (event.correlationid) {
    headers[CE_HEADER.correlationid] = event.correlationid;
  }
  if (event.causationid) {
    headers[CE_HEADER.causationid] = event.causationid;
  }
  if (event.traceparent) {
    headers[CE_HEADER.traceparent] = event.traceparent;
  }
  return { key, value: Buffer.from(JSON.stringify(event.data)), headers };
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined ? undefined : single.toString();
}

/**
 * Reads a binary-mode CloudEvent. Throws EnvelopeError naming the first thing wrong; the data is
 * parsed but not validated here (that is the registry's job, which knows the event's class).
 */
export function decodeCloudEvent(record: KafkaRecord): CloudEvent<unknown> {
  const h = record.headers ?? {};
  const attrs: Partial<Record<keyof typeof CE_HEADER, string>> = {};
  for (const name of Object.keys(CE_HEADER) as (keyof typeof CE_HEADER)[]) {
    const text = headerText(h[CE_HEADER[name]]);
    if (text !== undefined) {
      attrs[name] = text;
    }
  }
  const required = (name: RequiredAttribute): string => {
    const value = attrs[name];
    if (!value) {
      throw new EnvelopeError('ENVELOPE.MISSING_ATTRIBUTE', `header ${CE_HEADER[name]} is missing`);
    }
    return value;
  };
  // One at a time, in this order: the first missing header is the one named, as before.
  const specversion = required('specversion');
  const id = required('id');
  const source = required('source');
  const type = required('type');
  const time = required('time');
  const subject = required('subject');
  if (specversion !== '1.0') {
    throw new EnvelopeError('ENVELOPE.UNSUPPORTED', `ce_specversion ${specversion} is not 1.0`);
  }
  if (!UUID.test(id)) {
    throw new EnvelopeError('ENVELOPE.INVALID_ATTRIBUTE', 'ce_id is not a uuid');
  }
  if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
    throw new EnvelopeError('ENVELOPE.INVALID_ATTRIBUTE', 'ce_time is not an RFC 3339 time');
  }
  const contentType = attrs.contentType ?? JSON_CONTENT_TYPE;
  if (!contentType.startsWith(JSON_CONTENT_TYPE)) {
    throw new EnvelopeError(
      'ENVELOPE.UNSUPPORTED',
      `content-type ${contentType} is not ${JSON_CONTENT_TYPE}`,
    );
  }
  if (record.value === null || record.value.length === 0) {
    throw new EnvelopeError('ENVELOPE.NOT_JSON', 'the message has no value');
  }
  let data: unknown;
  try {
    data = JSON.parse(record.value.toString());
  } catch (error) {
    throw new EnvelopeError('ENVELOPE.NOT_JSON', `the value is not JSON: ${(error as Error).message}`);
  }
  return {
    specversion: '1.0',
    id,
    source,
    type,
    time,
    subject,
    datacontenttype: JSON_CONTENT_TYPE,
    correlationid: attrs.correlationid,
    causationid: attrs.causationid,
    traceparent: attrs.traceparent,
    data,
  };
}
