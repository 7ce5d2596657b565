import { randomUUID } from 'node:crypto';
import {
  fieldsOf,
  http,
  InventoryUnderTest,
  KEYS,
  orderPlaced,
  setStock,
  startInventory,
  waitHandled,
} from './support';

describe('inventory stock API', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventory();
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  it('creates a SKU with PUT, sets it again, and reads it back with available = on hand - reserved', async () => {
    const created = await http(inventory, 'PUT', '/v1/stock/MUG-BLUE-350', {
      key: KEYS.writer,
      body: { onHand: 12 },
    });
    expect(created).toEqual({
      status: 200,
      body: { sku: 'MUG-BLUE-350', onHand: 12, reserved: 0, available: 12 },
    });

    const updated = await http(inventory, 'PUT', '/v1/stock/MUG-BLUE-350', {
      key: KEYS.admin,
      body: { onHand: 7 },
    });
    expect(updated.body).toEqual({ sku: 'MUG-BLUE-350', onHand: 7, reserved: 0, available: 7 });

    const read = await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350', { key: KEYS.reader });
    expect(read).toEqual({
      status: 200,
      body: { sku: 'MUG-BLUE-350', onHand: 7, reserved: 0, available: 7 },
    });
  });

  it('accepts SKUs with the characters the contracts allow, slashes included', async () => {
    const sku = 'Tee_Blk.M/2025-a';
    const put = await http(inventory, 'PUT', `/v1/stock/${encodeURIComponent(sku)}`, {
      key: KEYS.admin,
      body: { onHand: 0 },
    });
    expect(put).toEqual({ status: 200, body: { sku, onHand: 0, reserved: 0, available: 0 } });
    expect(
      (await http(inventory, 'GET', `/v1/stock/${encodeURIComponent(sku)}`, { key: KEYS.admin })).body.sku,
    ).toBe(sku);
  });

  it('answers 404 for an unknown SKU', async () => {
    const response = await http(inventory, 'GET', '/v1/stock/NEVER-STOCKED', { key: KEYS.reader });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'INVENTORY.UNKNOWN_SKU', details: { sku: 'NEVER-STOCKED' } });
  });

  it.each([
    ['a negative count', { onHand: -1 }],
    ['a fraction', { onHand: 1.5 }],
    ['a string', { onHand: '5' }],
    ['more than the stock maximum', { onHand: 1_000_000_001 }],
    ['no onHand at all', {}],
  ])('rejects %s with 400 naming onHand, and changes nothing', async (_case, body) => {
    await setStock(inventory, 'VALIDATED-SKU', 3);
    const response = await http(inventory, 'PUT', '/v1/stock/VALIDATED-SKU', { key: KEYS.admin, body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(fieldsOf(response.body)).toEqual(['onHand']);
    expect((await http(inventory, 'GET', '/v1/stock/VALIDATED-SKU', { key: KEYS.admin })).body.onHand).toBe(
      3,
    );
  });

  it('rejects an unknown field with 400 naming it', async () => {
    const response = await http(inventory, 'PUT', '/v1/stock/ANY-SKU', {
      key: KEYS.admin,
      body: { onHand: 1, reserved: 0 },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('reserved is not an allowed field');
    expect((await http(inventory, 'GET', '/v1/stock/ANY-SKU', { key: KEYS.admin })).status).toBe(404);
  });

  it('rejects an invalid SKU in the path with 400 naming sku, on GET and PUT', async () => {
    const tooLong = 'X'.repeat(65);
    for (const sku of ['-leading-dash', 'has space', tooLong]) {
      const put = await http(inventory, 'PUT', `/v1/stock/${encodeURIComponent(sku)}`, {
        key: KEYS.admin,
        body: { onHand: 1 },
      });
      expect(put.status).toBe(400);
      expect(fieldsOf(put.body)).toEqual(['sku']);
      const get = await http(inventory, 'GET', `/v1/stock/${encodeURIComponent(sku)}`, { key: KEYS.admin });
      expect(get.status).toBe(400);
      expect(get.body.message).toMatch(/^sku /);
    }
    const rows = await inventory.db.query(
      `SELECT count(*)::int AS n FROM stock WHERE sku IN ('-leading-dash', 'has space')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await http(inventory, 'PUT', '/v1/stock/ANY-SKU', {
      key: KEYS.admin,
      rawBody: '{"onHand": ',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('REQUEST.INVALID_JSON');
  });

  it('answers 401 without a key or with an unknown key', async () => {
    expect((await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350')).status).toBe(401);
    const put = await http(inventory, 'PUT', '/v1/stock/MUG-BLUE-350', { body: { onHand: 1 } });
    expect(put.status).toBe(401);
    const unknown = await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350', {
      key: { key: `test_${randomUUID()}`, principal: 'admin', scopes: [] },
    });
    expect(unknown.status).toBe(401);
    expect((await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350', { key: KEYS.admin })).body.onHand).toBe(7);
  });

  it('answers 403 when the key lacks the scope: stock:read cannot write, stock:write cannot read', async () => {
    const put = await http(inventory, 'PUT', '/v1/stock/MUG-BLUE-350', {
      key: KEYS.reader,
      body: { onHand: 100 },
    });
    expect(put.status).toBe(403);
    expect(put.body).toMatchObject({
      code: 'AUTH.MISSING_SCOPE',
      details: { missingScopes: ['stock:write'] },
    });
    const get = await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350', { key: KEYS.writer });
    expect(get.status).toBe(403);
    expect((await http(inventory, 'GET', '/v1/stock/MUG-BLUE-350', { key: KEYS.admin })).body.onHand).toBe(7);
  });

  it('refuses with 409 to set on hand below what is reserved, naming the reserved count; equal is fine', async () => {
    await setStock(inventory, 'RESERVED-SKU', 10);
    const placed = await inventory.probe.publish(
      'waybill.order.placed.v1',
      orderPlaced([{ sku: 'RESERVED-SKU', quantity: 6 }]),
    );
    await waitHandled(inventory, placed.id);

    const below = await http(inventory, 'PUT', '/v1/stock/RESERVED-SKU', {
      key: KEYS.admin,
      body: { onHand: 5 },
    });
    expect(below.status).toBe(409);
    expect(below.body).toMatchObject({
      code: 'INVENTORY.ON_HAND_BELOW_RESERVED',
      details: { sku: 'RESERVED-SKU', onHand: 5, reserved: 6 },
    });
    expect(below.body.message).toContain('6 unit(s) reserved');

    const equal = await http(inventory, 'PUT', '/v1/stock/RESERVED-SKU', {
      key: KEYS.admin,
      body: { onHand: 6 },
    });
    expect(equal.body).toEqual({ sku: 'RESERVED-SKU', onHand: 6, reserved: 6, available: 0 });
  });
});
