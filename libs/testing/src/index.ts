export { testInfrastructure, dockerAvailable, DEFAULT_LOCAL_KAFKA } from './infrastructure';
export type { TestInfrastructure, KafkaSource, PostgresSource } from './infrastructure';
export { createTestDatabase } from './database';
export type { TestDatabase } from './database';
export { uniqueTopicPrefix, uniqueIdentifier } from './names';
export { waitFor } from './wait-for';
export { spawnTypeScript } from '@waybill/local-infra';
export type { WaitForOptions } from './wait-for';
// The local Kafka runtime, for tests that need a cluster of their own (fault injection, restarts).
export {
  startKafkaCluster,
  destroyKafkaCluster,
  ensureKafkaJars,
  kafkaClasspath,
} from '@waybill/local-infra';
export type { KafkaClusterHandle, KafkaClusterOptions } from '@waybill/local-infra';
export { startServiceForTest, apiKeysEnv, testApiKey } from './service-harness';
export type { ServiceUnderTest, StartServiceOptions, TestApiKey } from './service-harness';
export { EventProbe } from './event-probe';
export type { SeenEvent, PublishOptions } from './event-probe';
export { DeadLetterWatcher } from './dead-letter-watcher';
export type { DeadLetter } from './dead-letter-watcher';
export { freePort } from './free-port';
export { PublicFront } from './public-front';
export * from './metrics-scrape';
export * from './service-process';
export * from './parties';
export { UseCaseHarness } from './use-case-harness';
export type { EnqueuedEvent, UseCaseHarnessOptions } from './use-case-harness';
export { storedWebhookRows, webhookApplied } from './webhook-inbox-rows';
export type { StoredWebhookRow } from './webhook-inbox-rows';
export { refusalOf } from './config-refusal';
export * from './channel-connections';
