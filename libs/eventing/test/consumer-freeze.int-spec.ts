import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { encodeCloudEvent } from '@waybill/contracts';
import { waitFor } from '@waybill/testing';
import { ItemRecordedV1, TEST_TOPIC } from './fixtures';
import { eventingTestBed, EventingTestBed } from './support';
import { ConsumerApp, startConsumerApp } from './test-app';

const SESSION_TIMEOUT_MS = 6_000;

/**
 * Stops this process's event loop for longer than the consumer session timeout, as a long GC
 * pause, a stopped VM or CPU throttling would: the group forgets the member, and when the process
 * runs again kafkajs meets UNKNOWN_MEMBER_ID and gives the consumer up. The transport replaces it.
 */
function freezeProcess(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a consumer frozen past its session timeout', () => {
  let bed: EventingTestBed;
  let consumer: ConsumerApp;
  let producer: Producer;

  beforeAll(async () => {
    bed = await eventingTestBed('freeze');
    consumer = await startConsumerApp(bed.databaseUrl, bed.brokers, bed.topicPrefix, {
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    consumer?.control.openGate();
    await producer?.disconnect();
    await consumer?.app.close();
    await bed?.close();
  });

  async function send(behaviour?: ItemRecordedV1['behaviour']): Promise<string> {
    const itemId = randomUUID();
    await producer.send({
      topic: `${bed.topicPrefix}${TEST_TOPIC}`,
      acks: -1,
      messages: [
        encodeCloudEvent({
          specversion: '1.0',
          id: randomUUID(),
          source: '/waybill/it',
          type: 'waybill.test.item-recorded.v1',
          time: new Date().toISOString(),
          subject: 'frozen',
          datacontenttype: 'application/json',
          data: { itemId, key: 'frozen', seq: 0, behaviour },
        }),
      ],
    });
    return itemId;
  }

  async function applied(itemIds: readonly string[]): Promise<number[]> {
    const rows = (await bed.dataSource.query(
      `SELECT applied FROM test_effects WHERE item_id = ANY($1::uuid[])`,
      [itemIds],
    )) as { applied: number }[];
    return rows.map((row) => row.applied);
  }

  it('is replaced when it thaws, and what it was handling is applied once', async () => {
    const { control, transport } = consumer;
    const topic = `${bed.topicPrefix}${TEST_TOPIC}`;
    const statusOf = () => transport.consumerStatuses().find((status) => status.topic === topic);
    const first = await send();
    await waitFor(async () => (await applied([first])).length === 1, {
      description: 'the first item applied',
    });
    expect(statusOf()).toMatchObject({ state: 'consuming', restarts: 0 });

    // Frozen in the middle of a handler: its transaction commits after the thaw, its offset cannot.
    control.closeGate();
    const held = await send('block');
    await waitFor(() => control.attempts.has(held), { description: 'the held item in its handler' });
    freezeProcess(SESSION_TIMEOUT_MS * 2);
    control.openGate();

    await waitFor(() => statusOf()?.restarts === 1, {
      timeoutMs: 30_000,
      description: 'the consumer to crash and be replaced',
    });
    const later = [await send(), await send()];
    await waitFor(async () => (await applied([held, ...later])).length === 3, {
      timeoutMs: 60_000,
      description: 'the held item and two more applied by the new consumer',
    });
    const status = statusOf();
    expect(status).toMatchObject({ state: 'consuming', restarts: 1 });
    expect(status?.lastError).toMatch(/coordinator is not aware of this member|rebalanc/i);
    // Fetched again by the new member (its offset was never committed) and skipped by the inbox.
    expect(await applied([first, held, ...later])).toEqual([1, 1, 1, 1]);
  });
});
