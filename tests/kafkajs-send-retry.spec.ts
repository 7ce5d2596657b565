/**
 * The kafkajs patch to `producer/sendMessages.js`: a retry after a partition's leader moved must
 * send that partition's records, even when its new leader already answered for other partitions
 * of the same send. Unpatched 2.2.4 tracked answers per broker and reported such records sent
 * without sending them (seen as orders that never left the order service after a broker was
 * killed on a 3-broker cluster). Driven through kafkajs's own sendMessages and retrier, with a
 * cluster whose metadata moves a leader between two attempts.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no typings */
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (
  options: unknown,
) => (args: {
  acks: number;
  topicMessages: { topic: string; messages: { key: string; value: string }[] }[];
}) => Promise<{ topicName: string; partition: number; baseOffset: string }[]>;
const createRetry = require('kafkajs/src/retry') as (options: object) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors') as {
  KafkaJSConnectionError: new (message: string) => Error;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const TOPIC = 'orders';

interface ProduceRequest {
  readonly nodeId: number;
  readonly partitions: number[];
}

/** Three partitions; broker 1 leads 0 and 1, broker 2 leads 2 until it dies, then broker 1 leads all. */
function clusterWithFailover() {
  const leaders = new Map([
    [0, 1],
    [1, 1],
    [2, 2],
  ]);
  const requests: ProduceRequest[] = [];
  const written = new Map<number, string[]>();
  const broker = (nodeId: number) => ({
    nodeId,
    async produce({
      topicData,
    }: {
      topicData: { topic: string; partitions: { partition: number; messages: { value: string }[] }[] }[];
    }) {
      const partitions = topicData.flatMap((topic) => topic.partitions);
      requests.push({ nodeId, partitions: partitions.map((entry) => entry.partition) });
      if (nodeId === 2) {
        // The broker dies mid-request; the controller moves its partition to broker 1.
        leaders.set(2, 1);
        throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
      }
      for (const entry of partitions) {
        written.set(entry.partition, [
          ...(written.get(entry.partition) ?? []),
          ...entry.messages.map((m) => m.value),
        ]);
      }
      return {
        topics: topicData.map(({ topic, partitions: sent }) => ({
          topicName: topic,
          partitions: sent.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers = new Map([
    [1, broker(1)],
    [2, broker(2)],
  ]);
  const cluster = {
    targetTopics: new Set<string>(),
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {},
    async addMultipleTargetTopics() {},
    isConnected: () => true,
    removeBroker() {},
    findTopicPartitionMetadata: () => [...leaders].map(([partitionId, leader]) => ({ partitionId, leader })),
    // As kafkajs's own: a partition missing from the metadata is left out.
    findLeaderForPartitions(_topic: string, partitions: string[]) {
      const result: Record<number, number[]> = {};
      for (const id of partitions.map(Number)) {
        const leader = leaders.get(id);
        if (leader !== undefined) {
          (result[leader] ??= []).push(id);
        }
      }
      return result;
    },
    async findBroker({ nodeId }: { nodeId: string }) {
      return brokers.get(Number(nodeId));
    },
  };
  const eosManager = {
    isTransactional: () => false,
    async acquireBrokerLock() {},
    async releaseBrokerLock() {},
    getSequence: () => 0,
    updateSequence() {},
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
  };
  const silent = { debug() {}, error() {}, info() {}, warn() {} };
  const sendMessages = createSendMessages({
    logger: silent,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  });
  return { sendMessages, requests, written };
}

describe('kafkajs sendMessages (patched)', () => {
  it('sends the records of a partition whose leader moved to a broker that already answered', async () => {
    const { sendMessages, requests, written } = clusterWithFailover();
    const messages = [0, 1, 2].map((partition) => ({ key: String(partition), value: `to-${partition}` }));

    const acknowledged = await sendMessages({ acks: -1, topicMessages: [{ topic: TOPIC, messages }] });

    expect(written.get(2)).toEqual(['to-2']);
    expect([...written.keys()].sort()).toEqual([0, 1, 2]);
    expect(acknowledged.map((entry) => entry.partition).sort()).toEqual([0, 1, 2]);
    // The retry went to the new leader with only what was not yet acknowledged.
    expect(requests.at(-1)).toEqual({ nodeId: 1, partitions: [2] });
  });

  it('does not report a partition without metadata as sent', async () => {
    const { sendMessages } = clusterWithFailover();
    await expect(
      sendMessages({
        acks: -1,
        topicMessages: [{ topic: TOPIC, messages: [{ key: '7', value: 'nowhere' }] }],
      }),
    ).rejects.toThrow();
  });
});
