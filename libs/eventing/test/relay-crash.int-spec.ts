import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { OutboxRelay } from '@waybill/eventing';
import { spawnTypeScript, waitFor } from '@waybill/testing';
import { TEST_TOPIC } from './fixtures';
import { collectTopic, eventingTestBed, EventingTestBed } from './support';
import { ConsumerApp, startConsumerApp } from './test-app';

function runCrashingRelay(
  databaseUrl: string,
  brokers: string[],
): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnTypeScript(path.join(__dirname, 'relay-crash.child.ts'), [
      databaseUrl,
      brokers.join(','),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stdout, stderr }));
  });
}

describe('relay killed between publishing and marking', () => {
  let bed: EventingTestBed;
  let consumer: ConsumerApp | undefined;
  let relay: OutboxRelay | undefined;

  beforeEach(async () => {
    bed = await eventingTestBed('crash');
  });

  afterEach(async () => {
    await relay?.stop();
    await consumer?.app.close();
    await bed.close();
  });

  it('publishes the batch again and the consumer still applies each event once', async () => {
    const items = Array.from({ length: 50 }, (_, seq) => ({
      type: 'waybill.test.item-recorded.v1',
      subject: `crash-${seq % 5}`,
      data: { itemId: randomUUID(), key: `crash-${seq % 5}`, seq },
    }));
    await bed.dataSource.transaction((manager) => bed.outbox.enqueue(manager, items));

    const topic = `${bed.topicPrefix}${TEST_TOPIC}`;
    const crashed = await runCrashingRelay(bed.databaseUrl, bed.brokers);
    expect(crashed.stderr).not.toMatch(/Error/);
    expect(crashed.stdout).toContain('published 50');
    expect(crashed.signal).toBe('SIGKILL');
    const [{ unpublished }] = (await bed.dataSource.query(
      `SELECT count(*)::int AS unpublished FROM outbox_pending`,
    )) as { unpublished: number }[];
    expect(unpublished).toBe(50); // Kafka has them, but the outbox does not know it

    consumer = await startConsumerApp(bed.databaseUrl, bed.brokers, bed.topicPrefix);
    const outcomes = { applied: 0, duplicate: 0, ignored: 0, 'dead-lettered': 0 };
    consumer.transport.onMessageSettled = (outcome) => (outcomes[outcome] += 1);
    relay = new OutboxRelay({ dataSource: bed.dataSource, kafka: bed.kafka, pollIntervalMs: 200 });
    relay.start();

    const onTopic = await collectTopic(bed.kafka, topic);
    await waitFor(() => onTopic.messages.length >= 100, {
      timeoutMs: 30000,
      description: 'both copies on the topic',
    });
    await waitFor(
      async () => {
        const [{ count }] = (await bed.dataSource.query(
          `SELECT count(*)::int AS count FROM test_effects`,
        )) as { count: number }[];
        return count === 50 && (await bed.dataSource.query(`SELECT 1 FROM outbox_pending`)).length === 0;
      },
      { timeoutMs: 30000, description: 'all 50 effects and the outbox marked' },
    );
    // The second copies reach the consumer too and are recognised as duplicates.
    // Offsets are committed per batch, so a rebalance may redeliver a few more: still duplicates.
    await waitFor(() => outcomes.applied + outcomes.duplicate >= 100, {
      timeoutMs: 30000,
      description: 'the consumer settled both copies',
    });
    await onTopic.stop();

    expect(onTopic.messages.length).toBe(100);
    const applied = (await bed.dataSource.query(`SELECT applied FROM test_effects`)) as { applied: number }[];
    expect(applied).toHaveLength(50);
    expect(applied.every((row) => row.applied === 1)).toBe(true);
    expect([...consumer.control.attempts.values()].every((n) => n === 1)).toBe(true);
    expect(outcomes).toMatchObject({ applied: 50, ignored: 0, 'dead-lettered': 0 });
    expect(outcomes.duplicate).toBeGreaterThanOrEqual(50);
  });
});
