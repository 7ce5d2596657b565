/**
 * CloudEvents 1.0 in Kafka binary content mode: attributes travel as `ce_*` headers, the value is
 * the JSON data alone. See https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0';
  /** uuid, unique per event; consumers deduplicate on it. */
  readonly id: string;
  /** `/waybill/<service>` */
  readonly source: string;
  /** `waybill.<aggregate>.<event>.v<N>` */
  readonly type: string;
  /** RFC 3339 */
  readonly time: string;
  /** The aggregate id (order id, SKU, …). */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly correlationid?: string;
  readonly causationid?: string;
  /** W3C trace context. */
  readonly traceparent?: string;
  readonly data: T;
}

export const CE_HEADER = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  traceparent: 'traceparent',
  contentType: 'content-type',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';
