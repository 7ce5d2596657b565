import { startKafkaCluster } from '../tools/local-infra/kafka-runtime';
import { Kafka, logLevel } from 'kafkajs';
(async () => {
  const c = await startKafkaCluster({ name: 'probe-freeze', basePort: 39192, fresh: true });
  try {
    const kafka = new Kafka({ clientId: 'probe', brokers: c.bootstrap, logLevel: logLevel.NOTHING, requestTimeout: 1500, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });
    const admin = kafka.admin(); await admin.connect();
    const topic = 'probe.seq';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    const msgs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'k', value: 'v' + i }));
    await p.send({ topic, acks: -1, messages: msgs(2) });
    process.kill(c.pids[0], 'SIGSTOP');
    try { await p.send({ topic, acks: -1, messages: msgs(3) }); console.log('frozen send ok?'); }
    catch (e: any) { console.log('frozen ERR', e.name, e.message); }
    process.kill(c.pids[0], 'SIGCONT');
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < 3; i++) {
      try { await p.send({ topic, acks: -1, messages: msgs(5) }); console.log('sent ok'); }
      catch (e: any) { console.log('ERR', e.name, e.type, e.message, e.cause?.type); }
    }
    console.log(await admin.fetchTopicOffsets(topic));
    await p.disconnect(); await admin.disconnect();
  } finally { await c.destroy(); }
})();
