import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { asyncApiDocument, asyncApiYaml, kafkaKeyOf } from './asyncapi';
import { eventRegistry } from './catalogue';
import { eventJsonSchemas } from './event-schemas';
import { EVENT_EXAMPLES } from './examples';
import { ASYNCAPI_FILE, GENERATE_COMMAND } from './snapshot-files';
import { TOPICS } from './topics';

type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { messages: Record<string, Record<string, unknown>>; schemas: Record<string, unknown> };
};

type Message = {
  name: string;
  payload: { schema: unknown };
  headers: { allOf: [unknown, { properties: { ce_type: { const: string } } }] };
  bindings: { kafka: { key: { description: string } } };
  examples: { headers: Record<string, string>; payload: unknown }[];
};

const doc = asyncApiDocument() as unknown as Doc;

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('AsyncAPI document', () => {
  it('is committed as generated', () => {
    const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
    if (committed !== asyncApiYaml()) {
      throw new Error(`docs/asyncapi.yaml is out of date. Run \`${GENERATE_COMMAND}\` and commit it.`);
    }
  });

  it('passes the official AsyncAPI parser (@asyncapi/parser) with no errors', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
    const errors = diagnostics
      // Spectral and the parser each declare the severity enum; their values are the same numbers.
      .filter((diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error))
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.allMessages().length).toBe(eventRegistry.definitions().length);
  }, 30_000);

  it('is AsyncAPI 3.0 with one channel per topic that carries events', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels).map((channel) => channel.address);
    expect(addresses.sort()).toEqual([...new Set(eventRegistry.definitions().map((d) => d.topic))].sort());
    for (const address of addresses) {
      expect(Object.values(TOPICS)).toContain(address);
    }
  });

  it('documents every registered event as a message on its topic, with its schema, headers and example', () => {
    const schemas = eventJsonSchemas();
    for (const definition of eventRegistry.definitions()) {
      const [, channel] = Object.entries(doc.channels).find(([, c]) => c.address === definition.topic)!;
      const message = resolve(channel.messages[definition.cls.name].$ref) as Message;
      expect(message.name).toBe(definition.type);
      expect(message.payload.schema).toEqual(schemas[definition.type]);
      expect(message.headers.allOf[1].properties.ce_type.const).toBe(definition.type);
      expect(message.bindings.kafka.key.description).toBe(kafkaKeyOf(definition));
      expect(message.examples[0].payload).toEqual(EVENT_EXAMPLES[definition.type]);
      expect(message.examples[0].headers.ce_type).toBe(definition.type);
    }
  });

  it('has only references that resolve', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(resolve(ref.slice(8, -1))).toBeDefined();
    }
  });

  it('documents the CloudEvents headers the codec writes', () => {
    const headers = doc.components.schemas.CloudEventHeaders as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(headers.required).toEqual(
      expect.arrayContaining([
        'ce_specversion',
        'ce_id',
        'ce_source',
        'ce_type',
        'ce_time',
        'ce_subject',
        'content-type',
      ]),
    );
    expect(Object.keys(headers.properties)).toEqual(
      expect.arrayContaining(['ce_correlationid', 'ce_causationid', 'traceparent']),
    );
  });

  it('sends on the service topics and receives from storefronts and replenishment triggers', () => {
    const actions = Object.fromEntries(
      Object.values(doc.operations).map((op) => [
        (resolve(op.channel.$ref) as { address: string }).address,
        op.action,
      ]),
    );
    expect(actions).toEqual({
      [TOPICS.order]: 'send',
      [TOPICS.inventory]: 'send',
      [TOPICS.payment]: 'send',
      [TOPICS.logistics]: 'send',
      [TOPICS.storefrontOrders]: 'receive',
      [TOPICS.replenishmentTriggers]: 'receive',
    });
  });
});
