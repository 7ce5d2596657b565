import { Kafka } from 'kafkajs';

/**
 * Creates missing topics before consumers join, so a fresh cluster does not depend on broker-side
 * auto-creation (off in most production clusters, where Strimzi KafkaTopic resources own them).
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  numPartitions = 3,
): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions })),
    });
  } catch (error) {
    // Another replica may have created it between list and create.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  } finally {
    await admin.disconnect();
  }
}
