import { Admin, Kafka } from 'kafkajs';

/** Errors a broker gives while a new topic is still propagating: asking again soon succeeds. */
const PROPAGATING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_CONTROLLER']);
const ATTEMPTS = 10;

/**
 * Creates missing topics before consumers join, so a fresh cluster does not depend on broker-side
 * auto-creation (off in most production clusters, where Strimzi KafkaTopic resources own them),
 * and returns once every partition of every topic has a leader.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  numPartitions = 3,
): Promise<void> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) {
    return;
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await createMissing(admin, wanted, numPartitions);
        if (await allHaveLeaders(admin, wanted)) {
          return;
        }
      } catch (error) {
        // A busy broker may not know a topic it just created (kafkajs's own wait for leaders
        // then fails with UNKNOWN_TOPIC_OR_PARTITION): that is not an answer, so ask again.
        if (attempt >= ATTEMPTS || !PROPAGATING.has((error as { type?: string }).type ?? '')) {
          throw error;
        }
      }
      if (attempt >= ATTEMPTS) {
        throw new Error(`topics without partition leaders: ${wanted.join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, topics: readonly string[], numPartitions: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) {
    return;
  }
  try {
    await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })) });
  } catch (error) {
    // Another replica may have created it between list and create.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') {
      throw error;
    }
  }
}

async function allHaveLeaders(admin: Admin, topics: readonly string[]): Promise<boolean> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  return (
    metadata.length === topics.length &&
    metadata.every(
      (topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
    )
  );
}
