import { CE_HEADER, CloudEvent } from './cloud-event';
import { decodeCloudEvent, EncodedRecord, encodeCloudEvent, EnvelopeError, KafkaRecord } from './kafka-codec';

const event: CloudEvent<{ orderId: string; total: number }> = {
  specversion: '1.0',
  id: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  source: '/waybill/order',
  type: 'waybill.order.placed.v1',
  time: '2025-03-01T10:15:00.123Z',
  subject: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90',
  datacontenttype: 'application/json',
  correlationid: '0b7c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e',
  causationid: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  data: { orderId: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90', total: 5390 },
};

/** What kafkajs hands a consumer: header values as Buffers. */
function asConsumed(record: EncodedRecord): KafkaRecord {
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { key: Buffer.from(record.key), value: record.value, headers };
}

function withHeaders(change: (headers: Record<string, string>) => void): KafkaRecord {
  const record = encodeCloudEvent(event);
  const headers = { ...record.headers };
  change(headers);
  return { ...record, headers };
}

function envelopeErrorOf(record: KafkaRecord): EnvelopeError {
  try {
    decodeCloudEvent(record);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return error;
    }
    throw error;
  }
  throw new Error('decodeCloudEvent accepted the record');
}

describe('kafka codec (CloudEvents binary mode)', () => {
  it('round-trips attributes and data', () => {
    const decoded = decodeCloudEvent(asConsumed(encodeCloudEvent(event)));
    expect(decoded).toEqual(event);
  });

  it('keys by subject unless told otherwise, and writes the ce_* headers and the JSON value', () => {
    const record = encodeCloudEvent(event);
    expect(record.key).toBe(event.subject);
    expect(encodeCloudEvent(event, 'sku-1').key).toBe('sku-1');
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: event.source,
      ce_type: event.type,
      ce_time: event.time,
      ce_subject: event.subject,
      'content-type': 'application/json',
      ce_correlationid: event.correlationid,
      ce_causationid: event.causationid,
      traceparent: event.traceparent,
    });
    expect(JSON.parse(record.value.toString())).toEqual(event.data);
  });

  it('leaves optional extensions out when absent and decodes them as undefined', () => {
    const { correlationid: _c, causationid: _k, traceparent: _t, ...plain } = event;
    const record = encodeCloudEvent(plain);
    expect(Object.keys(record.headers)).not.toContain(CE_HEADER.correlationid);
    const decoded = decodeCloudEvent(asConsumed(record));
    expect(decoded.correlationid).toBeUndefined();
    expect(decoded.data).toEqual(event.data);
  });

  it('reads the first value of a repeated header', () => {
    const record = encodeCloudEvent(event);
    const decoded = decodeCloudEvent({
      ...record,
      headers: { ...record.headers, ce_type: ['waybill.order.placed.v1', 'other'] },
    });
    expect(decoded.type).toBe('waybill.order.placed.v1');
  });

  it.each(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_subject'])(
    'refuses a record without %s as ENVELOPE.MISSING_ATTRIBUTE',
    (header) => {
      const error = envelopeErrorOf(withHeaders((h) => delete h[header]));
      expect(error.code).toBe('ENVELOPE.MISSING_ATTRIBUTE');
      expect(error.message).toContain(header);
    },
  );

  it('refuses an empty header like a missing one', () => {
    expect(envelopeErrorOf(withHeaders((h) => (h.ce_type = ''))).code).toBe('ENVELOPE.MISSING_ATTRIBUTE');
  });

  it('refuses a record without headers at all', () => {
    expect(envelopeErrorOf({ value: Buffer.from('{}') }).code).toBe('ENVELOPE.MISSING_ATTRIBUTE');
  });

  it('refuses another spec version as ENVELOPE.UNSUPPORTED', () => {
    const error = envelopeErrorOf(withHeaders((h) => (h.ce_specversion = '0.3')));
    expect(error.code).toBe('ENVELOPE.UNSUPPORTED');
    expect(error.message).toContain('0.3');
  });

  it('refuses a non-JSON content type as ENVELOPE.UNSUPPORTED', () => {
    expect(envelopeErrorOf(withHeaders((h) => (h['content-type'] = 'application/avro'))).code).toBe(
      'ENVELOPE.UNSUPPORTED',
    );
  });

  it('accepts a JSON content type with parameters', () => {
    expect(
      decodeCloudEvent(withHeaders((h) => (h['content-type'] = 'application/json; charset=utf-8'))).id,
    ).toBe(event.id);
  });

  it('refuses a ce_id that is not a uuid as ENVELOPE.INVALID_ATTRIBUTE', () => {
    const error = envelopeErrorOf(withHeaders((h) => (h.ce_id = 'order-42')));
    expect(error.code).toBe('ENVELOPE.INVALID_ATTRIBUTE');
    expect(error.message).toContain('ce_id');
  });

  it.each(['yesterday', '2025-03-01', '2025-03-01T10:15:00', 'March 1, 2025 10:15 UTC'])(
    'refuses ce_time %p as ENVELOPE.INVALID_ATTRIBUTE',
    (time) => {
      expect(envelopeErrorOf(withHeaders((h) => (h.ce_time = time))).code).toBe('ENVELOPE.INVALID_ATTRIBUTE');
    },
  );

  it.each([
    ['not JSON', Buffer.from('{"orderId": ')],
    ['empty', Buffer.alloc(0)],
    ['null (a tombstone)', null],
  ])('refuses a value that is %s as ENVELOPE.NOT_JSON', (_label, value) => {
    const record = encodeCloudEvent(event);
    expect(envelopeErrorOf({ ...record, value }).code).toBe('ENVELOPE.NOT_JSON');
  });

  it('is an Error with a name, so logs and DLQ headers show what it is', () => {
    const error = envelopeErrorOf(withHeaders((h) => delete h.ce_id));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EnvelopeError');
  });
});
