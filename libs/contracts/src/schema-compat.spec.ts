import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { eventJsonSchema, eventJsonSchemas, JsonSchema } from './event-schemas';
import { Customer } from './events/common/customer';
import {
  IsCurrencyCode,
  IsMoney,
  IsNestedArray,
  IsNestedObject,
  IsSlug,
  IsText,
  IsTimestamp,
  OptionalProperty,
} from './events/common/field-rules';
import { OrderLine } from './events/common/order-line';
import { PaymentMethodRef } from './events/common/payment-method';
import { PostalAddress } from './events/common/postal-address';
import { OrderPlacedV1 } from './events/order/order-placed.v1';
import { contractOf, EventClass, EventContract } from './registry/event-contract';
import { breakingChanges, catalogueBreakingChanges } from './schema-compat';
import { TOPICS } from './topics';

/*
 * Proof against real classes: the published OrderPlacedV1 schema against edited copies of the
 * class, as a developer would edit it.
 */

const PLACED = 'waybill.order.placed.v1';
const published = eventJsonSchemas()[PLACED];
const schemaOf = (cls: EventClass) => eventJsonSchema(contractOf(cls));
const contract = { type: PLACED, topic: TOPICS.order, description: 'edited copy' };

// --- additive: subclasses that only add optional things -----------------------------------------

@EventContract(contract)
class PlacedWithGiftNote extends OrderPlacedV1 {
  @OptionalProperty()
  @IsText(500)
  giftNote?: string;
}

// --- breaking edits ------------------------------------------------------------------------------

@EventContract(contract)
class PlacedWithRequiredChannel extends OrderPlacedV1 {
  @IsIn(['web', 'app'])
  @IsString()
  salesChannel!: string;
}

/**
 * A line whose SKU may be at most 32 characters and whose quantity at most 50. Dropping the SKU
 * pattern and minimum length is a loosening, so it is not reported.
 */
class NarrowOrderLine {
  @MaxLength(32)
  @IsString()
  sku!: string;

  @Min(1)
  @Max(50)
  @IsInt()
  quantity!: number;

  @IsMoney()
  unitPrice!: number;
}

/**
 * OrderPlacedV1 as it would look after a careless edit: `storefrontOrderId` renamed to
 * `externalOrderId`, `totalAmount` as a decimal string, `payment` made optional, lines narrowed.
 */
@EventContract(contract)
class PlacedCarelesslyEdited {
  @IsUUID()
  orderId!: string;

  @IsSlug()
  storefrontId!: string;

  @IsText(128)
  externalOrderId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => NarrowOrderLine, 1, 100)
  lines!: NarrowOrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @IsText(32)
  totalAmount!: string;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @OptionalProperty()
  @IsNestedObject(() => PaymentMethodRef)
  payment?: PaymentMethodRef;

  @IsTimestamp()
  placedAt!: string;
}

/** An unchanged copy written out by hand: must be indistinguishable from the original. */
@EventContract(contract)
class PlacedCopied {
  @IsUUID()
  orderId!: string;

  @IsSlug()
  storefrontId!: string;

  @IsText(128)
  storefrontOrderId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => OrderLine, 1, 100)
  lines!: OrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @IsMoney()
  totalAmount!: number;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @IsNestedObject(() => PaymentMethodRef)
  payment!: PaymentMethodRef;

  @IsTimestamp()
  placedAt!: string;
}

describe('breakingChanges on the real OrderPlacedV1', () => {
  it('finds nothing between the schema and itself, or a faithful copy of the class', () => {
    expect(breakingChanges(published, published)).toEqual([]);
    expect(breakingChanges(published, schemaOf(PlacedCopied))).toEqual([]);
  });

  it('lets an optional property be added', () => {
    expect(breakingChanges(published, schemaOf(PlacedWithGiftNote))).toEqual([]);
  });

  it('reports a new required property', () => {
    expect(breakingChanges(published, schemaOf(PlacedWithRequiredChannel))).toEqual([
      'salesChannel: new property is required (old messages lack it)',
    ]);
  });

  it('reports a renamed property, a type change, a required property made optional and narrowed lines', () => {
    const changes = breakingChanges(published, schemaOf(PlacedCarelesslyEdited));
    expect([...changes].sort()).toEqual(
      [
        'storefrontOrderId: property removed or renamed',
        'externalOrderId: new property is required (old messages lack it)',
        'totalAmount: type changed from integer to string',
        'payment: became optional (readers rely on it being present)',
        'lines[].sku: maxLength lowered from 64 to 32',
        'lines[].quantity: maximum lowered from 1000000 to 50',
      ].sort(),
    );
  });

  it('reports removing the optional property again', () => {
    expect(breakingChanges(schemaOf(PlacedWithGiftNote), published)).toEqual([
      'giftNote: property removed or renamed',
    ]);
  });
});

/** Small hand-written schemas for each rule, read as a table. */
describe('breakingChanges rules', () => {
  const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)) => ({
    type: 'object',
    properties,
    required,
  });
  const str = (extra: JsonSchema = {}) => ({ type: 'string', ...extra });

  it.each<[string, JsonSchema, JsonSchema, string[]]>([
    [
      'a removed property',
      object({ a: str(), b: str() }),
      object({ a: str() }),
      ['b: property removed or renamed'],
    ],
    [
      'an optional property made required',
      object({ a: str() }, []),
      object({ a: str() }),
      ['a: became required'],
    ],
    [
      'a type change',
      object({ a: str() }),
      object({ a: { type: 'number' } }),
      ['a: type changed from string to number'],
    ],
    [
      'a widened type',
      object({ a: { type: 'integer' } }),
      object({ a: { type: 'number' } }),
      ['a: type changed from integer to number'],
    ],
    [
      'an enum losing a value',
      object({ a: str({ enum: ['x', 'y'] }) }),
      object({ a: str({ enum: ['x'] }) }),
      ['a: enum lost value "y"'],
    ],
    [
      'an enum where any string was allowed',
      object({ a: str() }),
      object({ a: str({ enum: ['x'] }) }),
      ['a: enum ["x"] added where any value was allowed'],
    ],
    [
      'a raised minimum',
      object({ a: { type: 'integer', minimum: 0 } }),
      object({ a: { type: 'integer', minimum: 1 } }),
      ['a: minimum raised from 0 to 1'],
    ],
    [
      'a new maximum',
      object({ a: { type: 'integer' } }),
      object({ a: { type: 'integer', maximum: 9 } }),
      ['a: maximum lowered from none to 9'],
    ],
    [
      'a lowered maxLength',
      object({ a: str({ maxLength: 64 }) }),
      object({ a: str({ maxLength: 32 }) }),
      ['a: maxLength lowered from 64 to 32'],
    ],
    [
      'a raised minLength',
      object({ a: str({ minLength: 1 }) }),
      object({ a: str({ minLength: 2 }) }),
      ['a: minLength raised from 1 to 2'],
    ],
    [
      'a changed pattern',
      object({ a: str({ pattern: '^a' }) }),
      object({ a: str({ pattern: '^b' }) }),
      ['a: pattern changed from "^a" to "^b"'],
    ],
    [
      'a new format',
      object({ a: str() }),
      object({ a: str({ format: 'uuid' }) }),
      ['a: format changed from none to "uuid"'],
    ],
    [
      'fewer items allowed',
      { type: 'array', maxItems: 100 },
      { type: 'array', maxItems: 10 },
      ['(root): maxItems lowered from 100 to 10'],
    ],
    [
      'a nested item change',
      object({ lines: { type: 'array', items: object({ sku: str() }) } }),
      object({ lines: { type: 'array', items: object({ sku: { type: 'integer' } }) } }),
      ['lines[].sku: type changed from string to integer'],
    ],
    [
      'closing the object',
      object({ a: str() }),
      { ...object({ a: str() }), additionalProperties: false },
      ['(root): additionalProperties became false'],
    ],
  ])('reports %s', (_label, before, after, expected) => {
    expect(breakingChanges(before, after)).toEqual(expected);
  });

  it.each<[string, JsonSchema, JsonSchema]>([
    ['a new optional property', object({ a: str() }), object({ a: str(), b: str() }, ['a'])],
    ['a new description', object({ a: str() }), object({ a: str({ description: 'x' }) })],
    [
      'an enum gaining a value',
      object({ a: str({ enum: ['x'] }) }),
      object({ a: str({ enum: ['x', 'y'] }) }),
    ],
    [
      'a raised maximum',
      object({ a: { type: 'integer', maximum: 9 } }),
      object({ a: { type: 'integer', maximum: 99 } }),
    ],
    [
      'a lowered minimum',
      object({ a: { type: 'integer', minimum: 1 } }),
      object({ a: { type: 'integer', minimum: 0 } }),
    ],
    ['a dropped pattern', object({ a: str({ pattern: '^a' }) }), object({ a: str() })],
    ['more items allowed', { type: 'array', maxItems: 10 }, { type: 'array', maxItems: 100 }],
  ])('allows %s', (_label, before, after) => {
    expect(breakingChanges(before, after)).toEqual([]);
  });
});

describe('catalogueBreakingChanges', () => {
  const a = { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] };

  it('reports a type that disappeared, and prefixes changes with their type', () => {
    expect(
      catalogueBreakingChanges(
        { 'waybill.a.b.v1': a, 'waybill.a.c.v1': a },
        { 'waybill.a.b.v1': { ...a, required: [] } },
      ),
    ).toEqual([
      'waybill.a.b.v1: x: became optional (readers rely on it being present)',
      'waybill.a.c.v1: event type disappeared (keep publishing it, or retire it deliberately)',
    ]);
  });

  it('accepts new types', () => {
    expect(
      catalogueBreakingChanges({ 'waybill.a.b.v1': a }, { 'waybill.a.b.v1': a, 'waybill.a.d.v1': a }),
    ).toEqual([]);
  });
});
