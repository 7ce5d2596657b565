import { IsInt, IsString } from 'class-validator';
import { EVENT_CLASSES, eventRegistry } from '../catalogue';
import { OrderPlacedV1 } from '../events/order/order-placed.v1';
import { EVENT_EXAMPLES, exampleData } from '../examples';
import { TOPICS } from '../topics';
import { contractOf, EventContract } from './event-contract';
import { ContractViolation, EventRegistry } from './event-registry';

const PLACED = 'waybill.order.placed.v1';

async function violationOf(type: string, data: unknown): Promise<ContractViolation> {
  try {
    await eventRegistry.parse(type, data);
  } catch (error) {
    if (error instanceof ContractViolation) {
      return error;
    }
    throw error;
  }
  throw new Error(`${type} data was accepted`);
}

describe('EventRegistry', () => {
  it('refuses an unknown type as EVENT.UNKNOWN_TYPE, in parse and topicOf', async () => {
    const error = await violationOf('waybill.order.teleported.v1', {});
    expect(error.code).toBe('EVENT.UNKNOWN_TYPE');
    expect(error.message).toContain('waybill.order.teleported.v1');
    expect(() => eventRegistry.topicOf('waybill.order.teleported.v1')).toThrow(ContractViolation);
    expect(eventRegistry.definition('waybill.order.teleported.v1')).toBeUndefined();
  });

  it('parses valid data into the contract class', async () => {
    const parsed = await eventRegistry.parse<OrderPlacedV1>(PLACED, exampleData(PLACED));
    expect(parsed).toBeInstanceOf(OrderPlacedV1);
    expect(parsed.lines[0].constructor.name).toBe('OrderLine');
    expect(parsed.totalAmount).toBe(5390);
  });

  it('strips unknown properties (a producer may add optional fields within a version)', async () => {
    const parsed = await eventRegistry.parse<OrderPlacedV1 & { giftNote?: string }>(
      PLACED,
      exampleData(PLACED, { giftNote: 'Happy birthday' }),
    );
    expect(parsed.giftNote).toBeUndefined();
  });

  it.each([
    [
      'a nested array element',
      { lines: [{ sku: 'MUG-BLUE-350', quantity: 0, unitPrice: 1250 }] },
      'lines.0.quantity',
    ],
    ['a nested object', { customer: { id: 'cust-1042', email: 'not-an-email' } }, 'customer.email'],
    ['a float amount', { totalAmount: 53.9 }, 'totalAmount'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
    [
      'a lower-case country',
      { shippingAddress: { line1: 'x', city: 'Berlin', postalCode: '10117', country: 'de' } },
      'shippingAddress.country',
    ],
    ['a date without time', { placedAt: '2025-03-01' }, 'placedAt'],
    ['a non-uuid id', { orderId: 'order-42' }, 'orderId'],
    ['an empty line list', { lines: [] }, 'lines'],
    [
      'a null optional field',
      { shippingAddress: { line1: 'x', line2: null, city: 'B', postalCode: '1', country: 'DE' } },
      'shippingAddress.line2',
    ],
  ])('refuses %s as EVENT.INVALID_DATA naming the field path', async (_label, change, path) => {
    const error = await violationOf(PLACED, exampleData(PLACED, change));
    expect(error.code).toBe('EVENT.INVALID_DATA');
    expect(error.details.some((line) => line.startsWith(`${path}: `))).toBe(true);
  });

  it('reports a missing required field and every broken rule at once', async () => {
    const { customer: _customer, ...data } = exampleData<Record<string, unknown>>(PLACED);
    const error = await violationOf(PLACED, { ...data, currency: 'euro' });
    expect(error.details.some((line) => line.startsWith('customer: '))).toBe(true);
    expect(error.details.some((line) => line.startsWith('currency: '))).toBe(true);
  });

  it('refuses more than 100 lines', async () => {
    const lines = Array.from({ length: 101 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1, unitPrice: 100 }));
    const error = await violationOf(PLACED, exampleData(PLACED, { lines }));
    expect(error.details.some((line) => line.startsWith('lines: '))).toBe(true);
  });

  it.each([null, 'text', 42, [1, 2]])('refuses data that is not an object (%p)', async (data) => {
    expect((await violationOf(PLACED, data)).code).toBe('EVENT.INVALID_DATA');
  });

  it('refuses a type registered twice', () => {
    @EventContract({ type: PLACED, topic: TOPICS.order, description: 'duplicate' })
    class Duplicate {
      @IsString()
      x!: string;
    }
    expect(() => new EventRegistry([OrderPlacedV1, Duplicate])).toThrow(/registered twice/);
  });

  it('refuses a class without @EventContract', () => {
    class Undecorated {
      @IsInt()
      n!: number;
    }
    expect(() => new EventRegistry([Undecorated])).toThrow(/no @EventContract/);
  });
});

describe('the v1 catalogue', () => {
  const types = eventRegistry.definitions().map((definition) => definition.type);

  it('registers every class in EVENT_CLASSES, on a known topic, named waybill.<aggregate>.<event>.v<N>', () => {
    expect(types).toHaveLength(EVENT_CLASSES.length);
    const topics = Object.values(TOPICS) as string[];
    for (const definition of eventRegistry.definitions()) {
      expect(definition.type).toMatch(/^waybill\.[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\.v[1-9][0-9]*$/);
      expect(topics).toContain(definition.topic);
      expect(definition.cls.name).toMatch(/V[1-9][0-9]*$/);
      expect(definition.type.endsWith(`.v${/V(\d+)$/.exec(definition.cls.name)![1]}`)).toBe(true);
      expect(definition.description).toMatch(/Key(?: and ce_subject)?: /);
    }
  });

  it('puts the DESIGN.md topics where they belong', () => {
    expect(eventRegistry.topicOf(PLACED)).toBe('waybill.order.events');
    expect(eventRegistry.topicOf('waybill.inventory.stock-reserved.v1')).toBe('waybill.inventory.events');
    expect(eventRegistry.topicOf('waybill.payment.authorized.v1')).toBe('waybill.payment.events');
    expect(eventRegistry.topicOf('waybill.shipment.status-changed.v1')).toBe('waybill.logistics.events');
    expect(eventRegistry.topicOf('waybill.storefront.order-submitted.v1')).toBe('waybill.storefront.orders');
    expect(eventRegistry.topicOf('waybill.storefront.order-cancellation-requested.v1')).toBe(
      'waybill.storefront.orders',
    );
  });

  it('has an example for every registered type and none for a type it does not know', () => {
    expect(Object.keys(EVENT_EXAMPLES).sort()).toEqual([...types].sort());
  });

  it.each(types)('%s: its example is valid', async (type) => {
    await expect(eventRegistry.parse(type, EVENT_EXAMPLES[type])).resolves.toBeInstanceOf(
      eventRegistry.definition(type)!.cls,
    );
  });

  it('keys every order event by orderId: each order-related event carries it', () => {
    const orderTopics: string[] = [TOPICS.order, TOPICS.payment, TOPICS.logistics];
    for (const definition of eventRegistry.definitions().filter((d) => orderTopics.includes(d.topic))) {
      expect(EVENT_EXAMPLES[definition.type]).toHaveProperty('orderId');
    }
  });

  it('keeps payment tokens out of every event but the storefront submission', () => {
    for (const type of types.filter((t) => t !== 'waybill.storefront.order-submitted.v1')) {
      expect(JSON.stringify(EVENT_EXAMPLES[type])).not.toMatch(/"token"/);
    }
  });

  it('freezes the shared examples; exampleData gives a mutable copy', () => {
    expect(Object.isFrozen(EVENT_EXAMPLES[PLACED])).toBe(true);
    const copy = exampleData<{ lines: { quantity: number }[] }>(PLACED);
    copy.lines[0].quantity = 7;
    expect((EVENT_EXAMPLES[PLACED] as { lines: { quantity: number }[] }).lines[0].quantity).toBe(2);
    expect(() => exampleData('waybill.nope.v1')).toThrow(/no example/);
  });

  it('exposes each class contract through contractOf', () => {
    expect(contractOf(OrderPlacedV1)).toMatchObject({
      type: PLACED,
      topic: TOPICS.order,
      cls: OrderPlacedV1,
    });
  });
});
