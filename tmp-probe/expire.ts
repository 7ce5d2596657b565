import { startKafkaCluster } from '../tools/local-infra/kafka-runtime';
import { Kafka, logLevel } from 'kafkajs';
(async () => {
  const c = await startKafkaCluster({ name: 'probe-expire', basePort: 39192, fresh: true,
    brokerConfig: { 'producer.id.expiration.ms': 2000, 'producer.id.expiration.check.interval.ms': 1000 } });
  try {
    const kafka = new Kafka({ clientId: 'probe', brokers: c.bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin(); await admin.connect();
    const topic = 'probe.seq';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    for (let i = 0; i < 3; i++) await p.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' + i }] });
    await new Promise((r) => setTimeout(r, 6000));
    for (let i = 0; i < 3; i++) {
      try { await p.send({ topic, acks: -1, messages: [{ key: 'k', value: 'after' }] }); console.log('sent ok'); }
      catch (e: any) { console.log('ERR', e.name, e.type, e.message, e.cause?.type, e.retriable); }
    }
    await p.disconnect(); await admin.disconnect();
  } finally { await c.destroy(); }
})();
