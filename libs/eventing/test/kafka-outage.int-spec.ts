import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { OutboxRelay } from '@waybill/eventing';
import { KafkaClusterHandle, startKafkaCluster, waitFor } from '@waybill/testing';
import { collectTopic, eventingTestBed, EventingTestBed, sleep } from './support';
import { ConsumerApp, startConsumerApp } from './test-app';

/** Runs on a broker of its own, so stopping it does not disturb the other tests' broker. */
describe('Kafka stopped while the service keeps accepting writes', () => {
  let cluster: KafkaClusterHandle;
  let dataDir: string;
  let bed: EventingTestBed;
  let consumer: ConsumerApp;
  let relay: OutboxRelay;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'waybill-outage-'));
    cluster = await startKafkaCluster({
      name: `it-outage-${process.pid}`,
      basePort: 39092,
      dataDir,
      fresh: true,
    });
    bed = await eventingTestBed('outage', cluster.bootstrap);
    consumer = await startConsumerApp(bed.databaseUrl, bed.brokers, bed.topicPrefix);
    relay = new OutboxRelay({ dataSource: bed.dataSource, kafka: bed.kafka, pollIntervalMs: 200 });
    relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    await consumer?.app.close();
    await bed?.close();
    await cluster?.destroy(); // also forgets the cluster in the local registry (~/.cache/waybill)
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function write(count: number, phase: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 10) {
      const events = Array.from({ length: 10 }, (_, j) => {
        const itemId = randomUUID();
        ids.push(itemId);
        return {
          type: 'waybill.test.item-recorded.v1',
          subject: `${phase}-${j % 4}`,
          data: { itemId, key: `${phase}-${j % 4}`, seq: i + j },
        };
      });
      await bed.dataSource.transaction((manager) => bed.outbox.enqueue(manager, events));
    }
    return ids;
  }

  async function appliedCounts(): Promise<Map<string, number>> {
    const rows = (await bed.dataSource.query(`SELECT item_id, applied FROM test_effects`)) as {
      item_id: string;
      applied: number;
    }[];
    return new Map(rows.map((row) => [row.item_id, row.applied]));
  }

  it('loses nothing and delivers everything once Kafka is back', async () => {
    const before = await write(50, 'before');
    await waitFor(async () => (await appliedCounts()).size === 50, {
      timeoutMs: 60000,
      description: 'first 50 applied',
    });

    await cluster.stop();
    const during = await write(200, 'during'); // the service's writes do not depend on Kafka
    await sleep(2000);
    const [{ pending }] = (await bed.dataSource.query(
      `SELECT count(*)::int AS pending FROM outbox_pending`,
    )) as { pending: number }[];
    expect(pending).toBe(200);

    await cluster.start();
    const after = await write(50, 'after');
    const all = [...before, ...during, ...after];
    await waitFor(async () => (await appliedCounts()).size === all.length, {
      timeoutMs: 120000,
      description: 'all 300 applied after Kafka came back',
    });

    const topic = bed.outbox.topicFor('waybill.test.item-recorded.v1');
    const onTopic = await collectTopic(bed.kafka, topic);
    await waitFor(() => onTopic.messages.length >= all.length, {
      timeoutMs: 30000,
      description: 'topic read back',
    });
    await sleep(1000);
    await onTopic.stop();

    const counts = await appliedCounts();
    expect([...counts.keys()].sort()).toEqual([...all].sort());
    expect([...counts.values()].every((applied) => applied === 1)).toBe(true);
    const published = new Set(
      onTopic.messages.map((m) => (JSON.parse(m.value!) as { itemId: string }).itemId),
    );
    expect(published.size).toBe(all.length);
    // Per key, the order of writing is the order on the topic.
    for (const key of ['during-0', 'during-1', 'during-2', 'during-3']) {
      const seqs = onTopic.messages
        .filter((m) => m.key === key)
        .map((m) => (JSON.parse(m.value!) as { seq: number }).seq);
      const firstCopies = seqs.filter((seq, index) => seqs.indexOf(seq) === index);
      expect(firstCopies).toEqual([...firstCopies].sort((a, b) => a - b));
    }
  });
});

describe('a broker that stalls past the request timeout', () => {
  let cluster: KafkaClusterHandle;
  let dataDir: string;
  let bed: EventingTestBed;
  let consumer: ConsumerApp;
  let relay: OutboxRelay | undefined;
  // Short timeouts and few retries: a stall of a few seconds is then a failed send, as a longer
  // one is with the services' defaults.
  const impatient = (brokers: string[]) =>
    new Kafka({
      clientId: 'it-stall',
      brokers,
      requestTimeout: 1500,
      connectionTimeout: 1000,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'waybill-stall-'));
    cluster = await startKafkaCluster({
      name: `it-stall-${process.pid}`,
      basePort: 39292,
      dataDir,
      fresh: true,
    });
    bed = await eventingTestBed('stall', cluster.bootstrap);
    consumer = await startConsumerApp(bed.databaseUrl, bed.brokers, bed.topicPrefix);
  });

  afterAll(async () => {
    for (const pid of cluster?.pids ?? []) {
      process.kill(pid, 'SIGCONT');
    }
    await relay?.stop();
    await consumer?.app.close();
    await bed?.close();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function write(count: number, phase: string): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await bed.dataSource.transaction((manager) =>
      bed.outbox.enqueue(
        manager,
        ids.map((itemId, seq) => ({
          type: 'waybill.test.item-recorded.v1',
          subject: `${phase}-${seq % 3}`,
          data: { itemId, key: `${phase}-${seq % 3}`, seq },
        })),
      ),
    );
    return ids;
  }

  async function applied(): Promise<Map<string, number>> {
    const rows = (await bed.dataSource.query(`SELECT item_id, applied FROM test_effects`)) as {
      item_id: string;
      applied: number;
    }[];
    return new Map(rows.map((row) => [row.item_id, row.applied]));
  }

  it('leaves a kafkajs producer out of sequence for good; the relay replaces its producer and publishes everything once', async () => {
    const replaced: string[] = [];
    relay = new OutboxRelay({
      dataSource: bed.dataSource,
      kafka: impatient(bed.brokers),
      pollIntervalMs: 200,
      onProducerReplaced: (role, reason) => replaced.push(`${role}:${reason}`),
    });
    relay.start();
    // A plain idempotent producer beside the relay shows what the stall does to kafkajs.
    const control = impatient(bed.brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
    await control.connect();
    const controlTopic = `${bed.topicPrefix}control`;
    const records = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ key: 'k', value: `v${i}` }));
    await control.send({ topic: controlTopic, acks: -1, messages: records(1) });

    const before = await write(10, 'before');
    await waitFor(async () => (await applied()).size === 10, {
      timeoutMs: 60_000,
      description: 'first 10 applied',
    });

    const [broker] = cluster.pids;
    process.kill(broker, 'SIGSTOP');
    let during: string[] = [];
    try {
      during = await write(10, 'during');
      await expect(control.send({ topic: controlTopic, acks: -1, messages: records(2) })).rejects.toThrow();
      await waitFor(() => relay!.status.consecutiveFailures >= 1, {
        timeoutMs: 30_000,
        description: 'a relay send to fail on the stalled broker',
      });
      // More rows while it is stalled: the relay's next batch is longer than the one that timed out.
      during = [...during, ...(await write(10, 'during-more'))];
    } finally {
      process.kill(broker, 'SIGCONT');
    }

    // The broker wrote the requests it found queued when it woke: the control producer's
    // sequence numbers now lag the broker's, and every later send of it is refused.
    await sleep(2000);
    const refusal = await control.send({ topic: controlTopic, acks: -1, messages: records(3) }).then(
      () => 'accepted',
      (error: { type?: string }) => error.type,
    );
    expect(refusal).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    await control.disconnect();

    const after = await write(10, 'after');
    const all = [...before, ...during, ...after];
    await waitFor(async () => (await applied()).size === all.length, {
      timeoutMs: 60_000,
      description: 'all 40 applied after the stall',
    });
    const counts = await applied();
    expect([...counts.keys()].sort()).toEqual([...all].sort());
    expect([...counts.values()].every((times) => times === 1)).toBe(true);
    expect(replaced.length).toBeGreaterThanOrEqual(1);
    expect(replaced.every((entry) => entry.startsWith('relay:'))).toBe(true);
    const [{ pending }] = (await bed.dataSource.query(
      `SELECT count(*)::int AS pending FROM outbox_pending`,
    )) as { pending: number }[];
    expect(pending).toBe(0);
  });
});
