import { Kafka, KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { isTopicMetadataPending, SupervisedConsumer } from './supervised-consumer';

/** A stand-in for kafkajs' consumer whose subscribe fails with `failures` in turn, then works. */
function kafkaWhoseSubscribeFails(failures: Error[]): {
  kafka: Kafka;
  subscribes: () => number;
  runs: () => number;
} {
  let subscribes = 0;
  let runs = 0;
  const kafka = {
    consumer: () => ({
      events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
      on: () => () => undefined,
      connect: async () => undefined,
      disconnect: async () => undefined,
      subscribe: async () => {
        subscribes += 1;
        const failure = failures.shift();
        if (failure) {
          throw failure;
        }
      },
      run: async () => {
        runs += 1;
      },
    }),
  } as unknown as Kafka;
  return { kafka, subscribes: () => subscribes, runs: () => runs };
}

/** kafkajs builds these from a broker's error code; its typings only admit the message. */
function protocolError(
  type: string,
  code: number,
  retriable: boolean,
  message: string,
): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, retriable, message } as unknown as Error);
}

const unknownTopic = () =>
  protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true, 'This server does not host this topic-partition');

function supervised(kafka: Kafka): SupervisedConsumer {
  return new SupervisedConsumer({
    kafka,
    topic: 'waybill.test.events',
    groupId: 'waybill-test',
    config: {},
    run: () => ({ eachBatch: async () => undefined }),
    restartBackoff: { maxAttempts: Infinity, initialBackoffMs: 1, maxBackoffMs: 2 },
  });
}

describe('SupervisedConsumer first start', () => {
  it('waits for a topic whose metadata has not reached the brokers yet, then consumes', async () => {
    const fake = kafkaWhoseSubscribeFails([unknownTopic(), unknownTopic()]);

    await supervised(fake.kafka).start();

    expect(fake.subscribes()).toBe(3);
    expect(fake.runs()).toBe(1);
  });

  it('fails the start at once on anything else, as a bad broker address should', async () => {
    const fake = kafkaWhoseSubscribeFails([new KafkaJSConnectionError('connect ECONNREFUSED 127.0.0.1:1')]);

    await expect(supervised(fake.kafka).start()).rejects.toThrow('ECONNREFUSED');
    expect(fake.subscribes()).toBe(1);
    expect(fake.runs()).toBe(0);
  });

  it('gives up after a bounded number of tries when the topic never appears', async () => {
    const fake = kafkaWhoseSubscribeFails(Array.from({ length: 20 }, unknownTopic));

    await expect(supervised(fake.kafka).start()).rejects.toBeInstanceOf(KafkaJSProtocolError);
    expect(fake.subscribes()).toBe(8);
  });

  it('counts only pending topic metadata as worth waiting for', () => {
    expect(isTopicMetadataPending(unknownTopic())).toBe(true);
    expect(isTopicMetadataPending(protocolError('LEADER_NOT_AVAILABLE', 5, true, 'no leader'))).toBe(true);
    expect(isTopicMetadataPending(protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false, 'denied'))).toBe(
      false,
    );
    expect(isTopicMetadataPending(new Error('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(false);
  });
});
