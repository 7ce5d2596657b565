// The local Kafka (KRaft, from Maven Central's jars) and PostgreSQL runtimes: used by `npm test`,
// `npm start`, the benchmarks and the test harness, so they sit in a library below all of them.
export * from './common';
export * from './kafka-runtime';
export * from './postgres-runtime';
