import Ajv from 'ajv';
import { IsString, ValidateNested } from 'class-validator';
import { eventRegistry } from './catalogue';
import { classJsonSchema, eventJsonSchemas, JSON_SCHEMA_DRAFT, JsonSchema } from './event-schemas';
import { IsNestedObject } from './events/common/field-rules';
import { EVENT_EXAMPLES, exampleData } from './examples';
import { ContractViolation } from './registry/event-registry';

const schemas = eventJsonSchemas();
const types = Object.keys(schemas);

/** An Ajv that knows the formats our schemas use, so the specs check what outside consumers check. */
function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)) && /T/.test(text));
  return ajv;
}
const ajv = newAjv();

function walk(node: unknown, visit: (schema: JsonSchema, path: string) => void, path = ''): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    return;
  }
  const schema = node as JsonSchema;
  visit(schema, path);
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
    walk(child, visit, path ? `${path}.${name}` : name);
  }
  walk(schema.items, visit, `${path}[]`);
}

describe('event JSON Schemas', () => {
  it('has one schema per registered event', () => {
    expect(types.sort()).toEqual(
      eventRegistry
        .definitions()
        .map((d) => d.type)
        .sort(),
    );
  });

  it.each(types)('%s is self-contained draft-07 with $id = ce_type and a type on every property', (type) => {
    const schema = schemas[type];
    const definition = eventRegistry.definition(type)!;
    expect(schema).toMatchObject({
      $schema: JSON_SCHEMA_DRAFT,
      $id: type,
      description: definition.description,
      type: 'object',
    });
    expect(JSON.stringify(schema)).not.toContain('$ref');
    walk(schema, (node, path) => {
      if (path) {
        expect({ path, type: node.type }).toEqual({ path, type: expect.any(String) });
      }
      if (node.type === 'array') {
        expect({ path, maxItems: node.maxItems }).toEqual({ path, maxItems: expect.any(Number) });
      }
      if (node.type === 'string' && node.format === undefined && node.enum === undefined) {
        expect({ path, maxLength: node.maxLength ?? (node.pattern ? 'pattern' : undefined) }).toEqual({
          path,
          maxLength: expect.anything(),
        });
      }
    });
  });

  it.each(types)('%s: the example also passes the JSON Schema (class rules and schema agree)', (type) => {
    const validate = ajv.compile(schemas[type]);
    expect(validate(EVENT_EXAMPLES[type])).toBe(true);
  });

  it('publishes money as integer minor units and timestamps as date-time', () => {
    const placed = schemas['waybill.order.placed.v1'] as { properties: Record<string, JsonSchema> };
    expect(placed.properties.totalAmount).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
    });
    expect(placed.properties.currency).toMatchObject({ type: 'string', pattern: '^[A-Z]{3}$' });
    expect(placed.properties.placedAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(placed.properties.placedAt).not.toHaveProperty('oneOf');
    expect(placed.properties.lines).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    const status = schemas['waybill.shipment.status-changed.v1'] as {
      properties: Record<string, JsonSchema>;
    };
    expect(status.properties.status.enum).toContain('out_for_delivery');
  });

  it.each([
    ['a float amount', { totalAmount: 53.9 }],
    ['a missing field', { customer: undefined }],
    ['a lower-case currency', { currency: 'eur' }],
    ['a bad SKU', { lines: [{ sku: 'has space', quantity: 1, unitPrice: 1 }] }],
    [
      'too many lines',
      { lines: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPrice: 1 })) },
    ],
    ['a timestamp without zone', { placedAt: '2025-03-01T10:15:00' }],
    [
      'a null optional field',
      { shippingAddress: { line1: 'x', line2: null, city: 'B', postalCode: '1', country: 'DE' } },
    ],
  ])('both the registry and the JSON Schema refuse %s', async (_label, change) => {
    const data = JSON.parse(JSON.stringify(exampleData('waybill.order.placed.v1', change))) as object;
    expect(ajv.validate(schemas['waybill.order.placed.v1'], data)).toBe(false);
    await expect(eventRegistry.parse('waybill.order.placed.v1', data)).rejects.toBeInstanceOf(
      ContractViolation,
    );
  });

  it('refuses to describe a recursive contract', () => {
    class TreeNode {
      @IsString()
      label!: string;

      @IsNestedObject(() => TreeNode)
      child!: TreeNode;
    }
    expect(() => classJsonSchema(TreeNode)).toThrow(/recursive/);
  });

  it('refuses a nested property without @Type', () => {
    class Inner {
      @IsString()
      x!: string;
    }
    class Outer {
      @ValidateNested()
      inner!: Inner;
    }
    expect(() => classJsonSchema(Outer)).toThrow(/@Type/);
  });
});
