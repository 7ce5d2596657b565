/**
 * The local Kafka runtime keeps its data across stop() / start(): messages written before a full
 * stop are read back after the restart. Own ports (29192/29193) and data dir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { canConnect } from '@waybill/local-infra';
import { kafkaStatus } from '@waybill/local-infra';
import {
  destroyKafkaCluster,
  startKafkaCluster,
  uniqueTopicPrefix,
  waitFor,
  type KafkaClusterHandle,
} from '@waybill/testing';

jest.setTimeout(180_000);

describe('local Kafka runtime: stop and start keep the data', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waybill-kafka-1b-'));
  // A fixed name, so a run interrupted before afterAll is cleared away by the next one.
  const name = 'it-kafka-restart';
  let cluster: KafkaClusterHandle | undefined;

  afterAll(async () => {
    await cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads messages written before a restart', async () => {
    await destroyKafkaCluster(name);
    cluster = await startKafkaCluster({
      name,
      basePort: 29192,
      dataDir,
      heapMb: 256,
      jvmOptions: ['-XX:TieredStopAtLevel=1'],
    });
    expect(cluster.bootstrap).toEqual(['localhost:29192']);
    expect((await kafkaStatus(name)).state).toBe('running');

    const kafka = new Kafka({ clientId: 'it-1b', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
    const topic = `${uniqueTopicPrefix('it.restart')}.events`;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();

    await cluster.stop();
    expect(cluster.pids).toEqual([]);
    expect(await canConnect('localhost', 29192, 500)).toBe(false);
    expect((await kafkaStatus(name)).state).toBe('stopped');

    await cluster.start();
    expect(cluster.pids).toHaveLength(1);

    const seen = new Set<string>();
    const consumer = kafka.consumer({ groupId: `${topic}.reader` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
        },
      });
      await waitFor(() => seen.size === 20, {
        timeoutMs: 60_000,
        description: 'the 20 messages written before the restart',
      });
    } finally {
      await consumer.disconnect();
    }
    expect([...seen].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
  });
});
