import { randomUUID } from 'node:crypto';
import { eventingTestBed, EventingTestBed } from './support';

/** The `ce_source` header of the outbox rows, in the order they were written. */
async function sources(bed: EventingTestBed): Promise<string[]> {
  const rows = await bed.dataSource.query<{ headers: Record<string, string> }[]>(
    `SELECT headers FROM outbox ORDER BY id`,
  );
  return rows.map((row) => row.headers.ce_source ?? '(none)');
}

describe('outbox ce_source', () => {
  let bed: EventingTestBed;

  beforeAll(async () => {
    bed = await eventingTestBed('source');
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('is the service unless the event names the party it is published for', async () => {
    const data = () => ({ itemId: randomUUID(), key: 'k1', seq: 0 });
    await bed.dataSource.transaction((manager) =>
      bed.outbox.enqueue(manager, [
        { type: 'waybill.test.item-recorded.v1', subject: 'k1', data: data() },
        {
          type: 'waybill.test.item-recorded.v1',
          subject: 'k1',
          data: data(),
          source: '/storefronts/shop-eu',
        },
      ]),
    );
    expect(await sources(bed)).toEqual(['/waybill/test', '/storefronts/shop-eu']);
  });
});
