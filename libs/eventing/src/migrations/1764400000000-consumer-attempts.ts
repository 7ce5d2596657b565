import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each consumer group is applying on each partition right now, written before the work
 * starts. A range still here when the partition is fetched again was never finished: the process
 * died in it. Counting those deaths per message is how a message whose handling kills the process
 * reaches the dead-letter topic instead of coming back after every restart (attempts counted in
 * memory die with the process).
 */
export class ConsumerAttempts1764400000000 implements MigrationInterface {
  name = 'ConsumerAttempts1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE consumer_attempts (
        consumer      text NOT NULL,
        topic         text NOT NULL,
        partition     integer NOT NULL,
        first_offset  bigint NOT NULL,
        last_offset   bigint NOT NULL,
        starts        integer NOT NULL DEFAULT 1,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic, partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE consumer_attempts`);
  }
}
