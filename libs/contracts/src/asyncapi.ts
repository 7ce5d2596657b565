import { createHash } from 'node:crypto';
import { eventRegistry } from './catalogue';
import { CE_HEADER, JSON_CONTENT_TYPE } from './cloudevents/cloud-event';
import { eventJsonSchema, JSON_SCHEMA_DRAFT } from './event-schemas';
import { EVENT_EXAMPLES } from './examples';
import { EventDefinition } from './registry/event-contract';
import { EventRegistry } from './registry/event-registry';
import { eventSource, TOPICS } from './topics';
import { toYaml } from './yaml';

export const ASYNCAPI_VERSION = '3.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';

type TopicKey = keyof typeof TOPICS;

/** Who writes each topic. Waybill's services send on their own topic; outsiders send to the other two. */
const CHANNELS: Record<TopicKey, { action: 'send' | 'receive'; source: string; description: string }> = {
  order: {
    action: 'send',
    source: eventSource('order'),
    description: 'Events of the order service. Key: orderId.',
  },
  inventory: {
    action: 'send',
    source: eventSource('inventory'),
    description: 'Events of the inventory service. Key: orderId for reservations, the SKU for replenishment.',
  },
  payment: {
    action: 'send',
    source: eventSource('payment'),
    description: 'Events of the payment service. Key: orderId.',
  },
  logistics: {
    action: 'send',
    source: eventSource('logistics'),
    description: 'Events of the logistics service (carrier adapter). Key: orderId.',
  },
  storefrontOrders: {
    action: 'receive',
    source: '/storefronts/{storefrontId}',
    description:
      'Orders that storefronts submit over Kafka instead of POST /v1/orders, and those the channels ' +
      'service maps from Shopify, WooCommerce and Youzan webhooks, with their cancellation requests. ' +
      'Key: storefrontOrderId.',
  },
  replenishmentTriggers: {
    action: 'receive',
    source: '/{system}',
    description: 'Outside triggers of a replenishment run. Key: requestId.',
  },
};

function topicKeyOf(topic: string): TopicKey {
  const key = (Object.keys(TOPICS) as TopicKey[]).find((candidate) => TOPICS[candidate] === topic);
  if (!key) {
    throw new Error(`topic ${topic} is not in TOPICS`);
  }
  return key;
}

/** The CloudEvents attributes as Kafka headers (binary content mode). */
function cloudEventHeadersSchema(): Record<string, unknown> {
  return {
    type: 'object',
    required: [
      CE_HEADER.specversion,
      CE_HEADER.id,
      CE_HEADER.source,
      CE_HEADER.type,
      CE_HEADER.time,
      CE_HEADER.subject,
      CE_HEADER.contentType,
    ],
    properties: {
      [CE_HEADER.specversion]: { type: 'string', const: '1.0' },
      [CE_HEADER.id]: {
        type: 'string',
        format: 'uuid',
        description: 'Unique per event; consumers deduplicate on it.',
      },
      [CE_HEADER.source]: {
        type: 'string',
        description: 'The producer: /waybill/<service> for Waybill services.',
      },
      [CE_HEADER.type]: {
        type: 'string',
        pattern: '^waybill\\.[a-z-]+\\.[a-z-]+\\.v[0-9]+$',
        description: 'waybill.<aggregate>.<event>.v<N>; selects the payload schema.',
      },
      [CE_HEADER.time]: { type: 'string', format: 'date-time', description: 'RFC 3339.' },
      [CE_HEADER.subject]: {
        type: 'string',
        description: 'The aggregate id (order id, SKU, …); normally also the Kafka key.',
      },
      [CE_HEADER.contentType]: { type: 'string', const: JSON_CONTENT_TYPE },
      [CE_HEADER.correlationid]: {
        type: 'string',
        description: 'Shared by every event of one business flow (one order).',
      },
      [CE_HEADER.causationid]: { type: 'string', description: 'ce_id of the event that caused this one.' },
      [CE_HEADER.traceparent]: {
        type: 'string',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description: 'W3C trace context.',
      },
    },
  };
}

/** A stable uuid per example, so the generated file does not change from run to run. */
function exampleUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function exampleSubject(data: Record<string, unknown>): string {
  const lines = data.lines as { sku?: string }[] | undefined;
  const subject = data.orderId ?? data.sku ?? data.storefrontOrderId ?? data.requestId ?? lines?.[0]?.sku;
  return typeof subject === 'string' ? subject : 'unknown';
}

function exampleTime(data: Record<string, unknown>): string {
  const at = Object.entries(data).find(
    ([key, value]) => key.endsWith('At') && key !== 'expiresAt' && typeof value === 'string',
  );
  return (at?.[1] as string | undefined) ?? '2025-03-01T10:15:00Z';
}

function exampleSource(definition: EventDefinition, data: Record<string, unknown>): string {
  const channel = CHANNELS[topicKeyOf(definition.topic)];
  if (channel.action === 'send') {
    return channel.source;
  }
  return definition.topic === TOPICS.storefrontOrders
    ? `/storefronts/${String(data.storefrontId)}`
    : '/ops-console';
}

/** Every contract's description ends with "Key: …" (DESIGN.md: the key keeps one flow in order). */
export function kafkaKeyOf(definition: EventDefinition): string {
  const match = /\bKey(?: and ce_subject)?: (.+)$/.exec(definition.description);
  if (!match) {
    throw new Error(`${definition.type}: the description must end with "Key: <what the Kafka key is>"`);
  }
  return match[1].split(';')[0].replace(/\.$/, '');
}

function message(
  definition: EventDefinition,
  examples: Readonly<Record<string, object>>,
): Record<string, unknown> {
  const channel = CHANNELS[topicKeyOf(definition.topic)];
  const schema = eventJsonSchema(definition);
  const example = examples[definition.type] as Record<string, unknown> | undefined;
  return {
    name: definition.type,
    title: definition.cls.name,
    summary: definition.description,
    contentType: JSON_CONTENT_TYPE,
    correlationId: { location: `$message.header#/${CE_HEADER.correlationid}` },
    headers: {
      allOf: [
        { $ref: '#/components/schemas/CloudEventHeaders' },
        {
          type: 'object',
          properties: {
            [CE_HEADER.type]: { const: definition.type },
            [CE_HEADER.source]:
              channel.action === 'send' ? { const: channel.source } : { description: channel.source },
          },
        },
      ],
    },
    payload: { schemaFormat: `application/schema+json;version=draft-07`, schema },
    bindings: {
      kafka: {
        key: { type: 'string', description: kafkaKeyOf(definition) },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: example
      ? [
          {
            name: 'example',
            headers: {
              [CE_HEADER.specversion]: '1.0',
              [CE_HEADER.id]: exampleUuid(definition.type),
              [CE_HEADER.source]: exampleSource(definition, example),
              [CE_HEADER.type]: definition.type,
              [CE_HEADER.time]: exampleTime(example),
              [CE_HEADER.subject]: exampleSubject(example),
              [CE_HEADER.contentType]: JSON_CONTENT_TYPE,
              [CE_HEADER.correlationid]: exampleUuid(`correlation:${exampleSubject(example)}`),
            },
            payload: example,
          },
        ]
      : undefined,
  };
}

/**
 * The AsyncAPI 3.0 document of every registered event, from the same registry the consumers
 * validate with: one channel per topic, one message per event version.
 */
export function asyncApiDocument(
  registry: EventRegistry = eventRegistry,
  examples: Readonly<Record<string, object>> = EVENT_EXAMPLES,
): Record<string, unknown> {
  const definitions = registry.definitions();
  const topicKeys = (Object.keys(TOPICS) as TopicKey[]).filter((key) =>
    definitions.some((definition) => definition.topic === TOPICS[key]),
  );
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const key of topicKeys) {
    const onTopic = definitions.filter((definition) => definition.topic === TOPICS[key]);
    const channel = CHANNELS[key];
    channels[key] = {
      address: TOPICS[key],
      description: channel.description,
      messages: Object.fromEntries(
        onTopic.map((definition) => [
          definition.cls.name,
          { $ref: `#/components/messages/${definition.cls.name}` },
        ]),
      ),
      bindings: { kafka: { topic: TOPICS[key], bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[`${channel.action}${key[0].toUpperCase()}${key.slice(1)}`] = {
      action: channel.action,
      channel: { $ref: `#/channels/${key}` },
      summary:
        channel.action === 'send'
          ? `The ${key} service publishes its events (through its transactional outbox).`
          : 'Waybill consumes these; invalid messages go to the consuming service’s DLQ.',
      messages: onTopic.map((definition) => ({ $ref: `#/channels/${key}/messages/${definition.cls.name}` })),
    };
    for (const definition of onTopic) {
      messages[definition.cls.name] = message(definition, examples);
    }
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Waybill events',
      version: '1.0.0',
      description: [
        'Domain events between the Waybill services and with storefronts.',
        'Every message is a CloudEvents 1.0 event in Kafka binary content mode: the attributes travel as ce_* headers, the value is the JSON data alone.',
        'Consumers validate every message against its schema; what fails goes to waybill.<service>.dlq with the reason in headers.',
        `Payload schemas are JSON Schema draft-07 (${JSON_SCHEMA_DRAFT}), generated from libs/contracts; do not edit this file, run npm run contracts:generate.`,
      ].join('\n'),
    },
    defaultContentType: JSON_CONTENT_TYPE,
    channels,
    operations,
    components: {
      schemas: { CloudEventHeaders: cloudEventHeadersSchema() },
      messages,
    },
  };
}

export function asyncApiYaml(registry: EventRegistry = eventRegistry): string {
  return `# Generated by libs/contracts/scripts/generate-schemas.ts; do not edit.\n${toYaml(asyncApiDocument(registry))}`;
}
