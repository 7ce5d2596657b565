/**
 * The local Kafka runtime as a fault-tolerant cluster: 3 KRaft nodes (broker + controller each),
 * RF 3 with min.insync.replicas 2, so losing one broker loses neither writes nor reads.
 * Runs on its own ports (29092–29097) and data dir, beside whatever broker serves 9092.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import {
  destroyKafkaCluster,
  startKafkaCluster,
  uniqueTopicPrefix,
  waitFor,
  type KafkaClusterHandle,
} from '@waybill/testing';

jest.setTimeout(240_000);

// A fixed name: a run interrupted before afterAll leaves its brokers running on these ports, and
// the next run clears them away by this name.
const NAME = 'it-kafka-3b';

describe('local Kafka runtime: 3-broker cluster', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waybill-kafka-3b-'));
  let cluster: KafkaClusterHandle | undefined;
  let kafka: Kafka;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    await destroyKafkaCluster(NAME);
    cluster = await startKafkaCluster({
      name: NAME,
      brokers: 3,
      basePort: 29092,
      dataDir,
      heapMb: 320,
      // C1 only: these short-lived brokers start in about half the time on a small machine.
      jvmOptions: ['-XX:TieredStopAtLevel=1'],
    });
    kafka = new Kafka({ clientId: 'it-3b', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps producing and consuming with acks=all while one broker is down', async () => {
    const c = cluster!;
    expect(c.bootstrap).toEqual(['localhost:29092', 'localhost:29093', 'localhost:29094']);
    expect(c.pids).toHaveLength(3);

    const topic = `${uniqueTopicPrefix('it.cluster')}.orders`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Each broker answers on its port before every broker has registered with the controller,
      // so the three show up in the cluster metadata a moment apart.
      await waitFor(
        async () =>
          (await admin.describeCluster()).brokers
            .map((b) => b.nodeId)
            .sort()
            .join(',') === '1,2,3',
        { timeoutMs: 30000, intervalMs: 250, description: 'brokers 1, 2 and 3 in the cluster metadata' },
      );
      // kafkajs's waitForLeaders gives up when a broker has not seen the new topic yet
      // (UNKNOWN_TOPIC_OR_PARTITION); poll the metadata instead.
      await admin.createTopics({
        topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: false,
      });
      const partitions = await waitFor(
        async () => {
          const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
          const ready =
            described?.partitions.length === 3 &&
            described.partitions.every((p) => p.leader >= 0 && p.isr.length === 3);
          return ready ? described.partitions : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, description: `leaders and full ISRs for ${topic}` },
      );

      producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
      });
      await producer.connect();
      const batch = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => ({ key: `order-${(from + i) % 17}`, value: `m${from + i}` }));
      await producer.send({ topic, acks: -1, messages: batch(0, 100) });

      // A consumer group that is reading when the broker goes away (this also creates
      // __consumer_offsets with RF 3 while all three brokers are up, as in any real cluster).
      const seen = new Set<string>();
      consumer = kafka.consumer({ groupId: `${topic}.live`, maxWaitTimeInMs: 500 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
        },
      });
      await waitFor(() => seen.size === 100, { timeoutMs: 60_000, description: 'the first 100 messages' });

      // Stop the leader of partition 0: its partitions move to the two in-sync followers.
      const victim = partitions.find((p) => p.partitionId === 0)!.leader;
      await c.stopBroker(victim);
      expect(c.pids).toHaveLength(2);
      await producer.send({ topic, acks: -1, messages: batch(100, 100) });
      await waitFor(() => seen.size === 200, {
        timeoutMs: 60_000,
        description: `all 200 messages with broker ${victim} down`,
      });
      await consumer.disconnect();
      consumer = undefined;

      // Everything is still readable from the beginning by a new group.
      const replay = new Set<string>();
      consumer = kafka.consumer({ groupId: `${topic}.replay`, maxWaitTimeInMs: 500 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          replay.add(message.value!.toString());
        },
      });
      await waitFor(() => replay.size === 200, {
        timeoutMs: 60_000,
        description: 'a replay of all 200 messages',
      });
      await consumer.disconnect();
      consumer = undefined;

      await c.startBroker(victim);
      expect(c.pids).toHaveLength(3);
      // The restarted broker catches up and rejoins every ISR.
      await waitFor(
        async () => {
          const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
          return metadata.topics[0].partitions.every((p) => p.isr.length === 3);
        },
        { timeoutMs: 60_000, intervalMs: 500, description: `broker ${victim} back in every ISR` },
      );
    } finally {
      await admin.disconnect();
    }
  });
});
