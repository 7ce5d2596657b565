import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { Producer } from 'kafkajs';
import { encodeCloudEvent } from '@waybill/contracts';
import { DLQ_HEADER } from '@waybill/eventing';
import { spawnTypeScript, waitFor } from '@waybill/testing';
import { ItemRecordedV1, TEST_TOPIC } from './fixtures';
import { collectTopic, eventingTestBed, EventingTestBed } from './support';

jest.setTimeout(240_000);

/** The test app's `retry.maxAttempts`: a message that kills the process this often goes to the DLQ. */
const MAX_ATTEMPTS = 3;

/**
 * A message whose handler exits the process. Counted in memory, its attempts died with every
 * process and it came back after every restart, forever; counted in `consumer_attempts`, it is
 * dead-lettered after CONSUMER_MAX_ATTEMPTS starts and the partition moves on. The test restarts
 * the consumer process as an orchestrator would.
 */
describe('a message that kills the process', () => {
  let bed: EventingTestBed;
  let producer: Producer;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    bed = await eventingTestBed('poison');
    producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await producer?.disconnect();
    await bed?.close();
  });

  function item(behaviour?: ItemRecordedV1['behaviour']) {
    const itemId = randomUUID();
    return {
      itemId,
      record: encodeCloudEvent({
        specversion: '1.0',
        id: randomUUID(),
        source: '/waybill/it',
        type: 'waybill.test.item-recorded.v1',
        time: new Date().toISOString(),
        subject: 'poison',
        datacontenttype: 'application/json',
        data: { itemId, key: 'poison', seq: 0, behaviour },
      }),
    };
  }

  /** Starts the consumer process; `exited` resolves with its exit code. */
  function startConsumer(): { exited: Promise<number | null> } {
    const started = spawnTypeScript(path.join(__dirname, 'poison-exit.child.ts'), [
      bed.databaseUrl,
      bed.brokers.join(','),
      bed.topicPrefix,
    ]);
    child = started;
    started.stdout!.resume();
    started.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    return { exited };
  }

  async function applied(itemIds: readonly string[]): Promise<number> {
    const [{ count }] = (await bed.dataSource.query(
      `SELECT count(*)::int AS count FROM test_effects WHERE item_id = ANY($1::uuid[])`,
      [itemIds],
    )) as { count: number }[];
    return count;
  }

  it('dead-letters it after CONSUMER_MAX_ATTEMPTS starts, and the partition moves on', async () => {
    const topic = `${bed.topicPrefix}${TEST_TOPIC}`;
    const before = item();
    const poison = item('exit-process');
    const after = item();
    // One key: one partition, in this order.
    await producer.send({ topic, acks: -1, messages: [before.record, poison.record, after.record] });

    let exits = 0;
    const movedOn = waitFor(async () => (await applied([after.itemId])) === 1, {
      timeoutMs: 150_000,
      intervalMs: 250,
      description: 'the message after the poison applied',
    }).then(() => ({ exited: undefined }));
    for (;;) {
      const consumer = startConsumer();
      const outcome = await Promise.race([consumer.exited.then((code) => ({ exited: code })), movedOn]);
      if (outcome.exited === undefined) {
        break;
      }
      expect(outcome.exited).toBe(86);
      exits += 1;
      if (exits > MAX_ATTEMPTS) {
        throw new Error(`the poison message killed the consumer ${exits} times`);
      }
    }

    expect(exits).toBe(MAX_ATTEMPTS);
    expect(await applied([before.itemId, poison.itemId, after.itemId])).toBe(2);
    const dlq = await collectTopic(bed.kafka, `${bed.topicPrefix}waybill.test.dlq`);
    const [letter] = await waitFor(() => (dlq.messages.length > 0 ? dlq.messages : undefined), {
      description: 'the dead letter',
    });
    await dlq.stop();
    expect(JSON.parse(letter.value!)).toMatchObject({ itemId: poison.itemId, behaviour: 'exit-process' });
    expect(letter.headers[DLQ_HEADER.reason]).toBe('HANDLER.PROCESS_DIED');
    expect(letter.headers[DLQ_HEADER.attempts]).toBe(String(MAX_ATTEMPTS));
    expect(letter.headers[DLQ_HEADER.topic]).toBe(topic);
  });
});
