import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { encodeCloudEvent, CloudEvent } from '@waybill/contracts';
import { DLQ_HEADER } from '@waybill/eventing';
import { waitFor } from '@waybill/testing';
import { ItemRecordedV1, OTHER_TOPIC, TEST_TOPIC } from './fixtures';
import { collectTopic, eventingTestBed, EventingTestBed, sleep } from './support';
import { ConsumerApp, startConsumerApp } from './test-app';

function cloudEvent(type: string, subject: string, data: unknown): CloudEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/waybill/it',
    type,
    time: new Date().toISOString(),
    subject,
    datacontenttype: 'application/json',
    data,
  };
}

function itemEvent(
  key: string,
  seq: number,
  behaviour?: ItemRecordedV1['behaviour'],
): CloudEvent<ItemRecordedV1> {
  return cloudEvent('waybill.test.item-recorded.v1', key, {
    itemId: randomUUID(),
    key,
    seq,
    behaviour,
  }) as CloudEvent<ItemRecordedV1>;
}

describe('consumer runner on real Kafka and Postgres', () => {
  let bed: EventingTestBed;
  let consumer: ConsumerApp;
  let producer: Producer;
  let topic: string;
  let dlq: string;

  async function effects(): Promise<{ item_id: string; key: string; seq: number; applied: number }[]> {
    return bed.dataSource.query(`SELECT item_id, key, seq, applied FROM test_effects ORDER BY applied_at`);
  }

  async function send(events: CloudEvent[], targetTopic = topic): Promise<void> {
    await producer.send({
      topic: targetTopic,
      acks: -1,
      messages: events.map((event) => encodeCloudEvent(event)),
    });
  }

  beforeEach(async () => {
    bed = await eventingTestBed('consumer');
    topic = `${bed.topicPrefix}${TEST_TOPIC}`;
    dlq = `${bed.topicPrefix}waybill.test.dlq`;
    producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = await startConsumerApp(bed.databaseUrl, bed.brokers, bed.topicPrefix);
  });

  afterEach(async () => {
    consumer.control.openGate();
    await consumer.app.close();
    await producer.disconnect();
    await bed.close();
  });

  it('dead-letters a non-JSON message, an unknown ce_type and a schema-invalid event, and goes on with the partition', async () => {
    const key = 'poison-key';
    const valid = itemEvent(key, 1);
    const good = encodeCloudEvent(valid);
    const notJson = { ...encodeCloudEvent(itemEvent(key, 0)), value: Buffer.from('{not json') };
    const unknownType = encodeCloudEvent(cloudEvent('waybill.test.never-heard-of.v1', key, { a: 1 }));
    const invalid = encodeCloudEvent(
      cloudEvent('waybill.test.item-recorded.v1', key, { itemId: 'nope', key, seq: -1 }),
    );
    await producer.send({ topic, acks: -1, messages: [notJson, unknownType, invalid, good] });

    const dead = await collectTopic(bed.kafka, dlq);
    await waitFor(async () => (await effects()).length === 1, {
      timeoutMs: 30000,
      description: 'the valid event applied',
    });
    await waitFor(() => dead.messages.length >= 3, { timeoutMs: 20000, description: 'three DLQ entries' });
    await dead.stop();

    expect((await effects())[0]).toMatchObject({ item_id: valid.data.itemId, applied: 1 });
    const reasons = dead.messages.map((m) => m.headers[DLQ_HEADER.reason]);
    expect(reasons).toEqual(['ENVELOPE.NOT_JSON', 'EVENT.UNKNOWN_TYPE', 'EVENT.INVALID_DATA']);
    const partition = dead.messages[0]!.headers[DLQ_HEADER.partition];
    for (const letter of dead.messages) {
      expect(letter.headers[DLQ_HEADER.topic]).toBe(topic);
      expect(letter.headers[DLQ_HEADER.partition]).toBe(partition);
      expect(letter.headers[DLQ_HEADER.offset]).toMatch(/^\d+$/);
      expect(letter.headers[DLQ_HEADER.attempts]).toBe('0');
      expect(letter.key).toBe(key);
    }
    expect(dead.messages[2]!.headers[DLQ_HEADER.error]).toMatch(/itemId.*UUID/);
    expect(dead.messages[2]!.headers[DLQ_HEADER.error]).toMatch(/seq/);
    expect(dead.messages[0]!.value).toBe('{not json');
  });

  it('retries a transient failure and applies the event once; dead-letters after bounded attempts', async () => {
    const flaky = itemEvent('retry-key', 1, 'fail-once');
    const broken = itemEvent('retry-key', 2, 'fail-always');
    const after = itemEvent('retry-key', 3);
    await send([flaky, broken, after]);
    const dead = await collectTopic(bed.kafka, dlq);

    await waitFor(async () => (await effects()).length === 2, {
      timeoutMs: 30000,
      description: 'two effects',
    });
    await waitFor(() => dead.messages.length === 1, { timeoutMs: 10000, description: 'one DLQ entry' });
    await dead.stop();

    const applied = await effects();
    expect(applied.map((e) => [e.item_id, e.applied])).toEqual([
      [flaky.data.itemId, 1],
      [after.data.itemId, 1],
    ]);
    expect(consumer.control.attempts.get(flaky.data.itemId)).toBe(2);
    expect(consumer.control.attempts.get(broken.data.itemId)).toBe(3);
    expect(dead.messages[0]!.headers).toMatchObject({
      [DLQ_HEADER.reason]: 'HANDLER.RETRIES_EXHAUSTED',
      [DLQ_HEADER.attempts]: '3',
      [DLQ_HEADER.error]: 'this item always fails',
      ce_id: broken.id,
    });
  });

  it('applies a redelivered event once', async () => {
    const event = itemEvent('dup-key', 1);
    await send([event, event]);
    await send([event]);
    const marker = itemEvent('dup-key', 2);
    await send([marker]);
    await waitFor(async () => (await effects()).length === 2, {
      timeoutMs: 30000,
      description: 'marker applied',
    });
    expect((await effects()).map((e) => e.applied)).toEqual([1, 1]);
    expect(consumer.control.attempts.get(event.data.itemId)).toBe(1);
  });

  it('applies a backlog in few transactions, yet each event once, in order, with failures isolated', async () => {
    const key = 'backlog-key';
    // A blocked first event holds the partition while the backlog piles up behind it, so the
    // backlog reaches the consumer as one batch.
    consumer.control.closeGate();
    const blocker = itemEvent(key, 0, 'block');
    await send([blocker]);
    await waitFor(() => consumer.control.attempts.has(blocker.data.itemId), { description: 'the blocker' });
    // Items 13 and 33 are handled by an OWN_TRANSACTION handler: they must each commit alone.
    const locked = new Set([13, 33]);
    const backlog = Array.from({ length: 40 }, (_, i) =>
      locked.has(i + 1)
        ? (cloudEvent('waybill.test.item-locked.v1', key, {
            itemId: randomUUID(),
            key,
            seq: i + 1,
          }) as CloudEvent<ItemRecordedV1>)
        : itemEvent(key, i + 1, i === 24 ? 'fail-once' : undefined),
    );
    const invalid = cloudEvent('waybill.test.item-recorded.v1', key, { itemId: 'nope', key, seq: -1 });
    await send([
      ...backlog.slice(0, 10),
      backlog[9]!,
      ...backlog.slice(10, 30),
      invalid,
      ...backlog.slice(30),
    ]);
    const dead = await collectTopic(bed.kafka, dlq);

    consumer.control.openGate();
    await waitFor(async () => (await effects()).length === 41, {
      timeoutMs: 30000,
      description: 'all 41 applied',
    });
    await waitFor(() => dead.messages.length === 1, {
      timeoutMs: 10000,
      description: 'the invalid one dead-lettered',
    });
    await dead.stop();

    const applied = await effects();
    expect(applied.every((effect) => effect.applied === 1)).toBe(true);
    expect(applied.map((effect) => effect.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    expect(consumer.control.attempts.get(backlog[24]!.data.itemId)).toBe(2);
    expect(dead.messages[0]!.headers.ce_id).toBe(invalid.id);
    // One transaction per event would make 41; the backlog shares a few (the blocker, the run
    // broken by the failing event and retried one by one, the runs around the invalid one).
    const [{ transactions }] = (await bed.dataSource.query(
      `SELECT count(DISTINCT applied_in)::int AS transactions FROM test_effects`,
    )) as { transactions: number }[];
    expect(transactions).toBeLessThan(30);
    const sharing = (await bed.dataSource.query(
      `SELECT e.seq, (SELECT count(*)::int FROM test_effects o WHERE o.applied_in = e.applied_in) AS together
         FROM test_effects e WHERE e.seq IN (13, 33) ORDER BY e.seq`,
    )) as { seq: number; together: number }[];
    expect(sharing).toEqual([
      { seq: 13, together: 1 },
      { seq: 33, together: 1 },
    ]);
  });

  it('keeps consuming another topic while one topic’s handler is stuck', async () => {
    consumer.control.closeGate();
    const stuck = itemEvent('stuck-key', 1, 'block');
    await send([stuck]);
    await waitFor(() => consumer.control.attempts.has(stuck.data.itemId), {
      timeoutMs: 30000,
      description: 'handler entered',
    });

    const ping = cloudEvent('waybill.test.ping.v1', 'ping', { pingId: randomUUID() });
    await send([ping], `${bed.topicPrefix}${OTHER_TOPIC}`);
    await waitFor(async () => (await effects()).some((e) => e.key === 'ping'), {
      timeoutMs: 30000,
      description: 'ping applied while the other topic is blocked',
    });
    expect((await effects()).some((e) => e.item_id === stuck.data.itemId)).toBe(false);

    consumer.control.openGate();
    await waitFor(async () => (await effects()).some((e) => e.item_id === stuck.data.itemId), {
      timeoutMs: 10000,
      description: 'blocked item applied after release',
    });
    await sleep(10);
  });
});
