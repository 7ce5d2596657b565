import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { EventContract, EventRegistry } from '@waybill/contracts';
import { MigrationInterface, QueryRunner } from 'typeorm';

export const TEST_TOPIC = 'waybill.test.events';
export const OTHER_TOPIC = 'waybill.test.other';

/** A test-only contract, so the eventing tests do not depend on the business catalogue. */
@EventContract({ type: 'waybill.test.item-recorded.v1', topic: TEST_TOPIC, description: 'test event' })
export class ItemRecordedV1 {
  @IsUUID()
  itemId!: string;

  @IsString()
  @MaxLength(64)
  key!: string;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  seq!: number;

  @IsOptional()
  @IsString()
  behaviour?: 'fail-once' | 'fail-always' | 'block' | 'exit-process';
}

@EventContract({
  type: 'waybill.test.ping.v1',
  topic: OTHER_TOPIC,
  description: 'test event on another topic',
})
export class PingV1 {
  @IsUUID()
  pingId!: string;
}

/** Same shape as an item, but its handler is marked OWN_TRANSACTION (as a stock-locking one would be). */
@EventContract({
  type: 'waybill.test.item-locked.v1',
  topic: TEST_TOPIC,
  description: 'test event whose handler needs its own transaction',
})
export class ItemLockedV1 {
  @IsUUID()
  itemId!: string;

  @IsString()
  @MaxLength(64)
  key!: string;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  seq!: number;
}

export const testRegistry = new EventRegistry([ItemRecordedV1, ItemLockedV1, PingV1]);

/** The "effect" a test consumer applies: one row per item, counting how often it was applied. */
export class TestEffectsTable1764140000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE test_effects (
        item_id uuid PRIMARY KEY,
        key text NOT NULL,
        seq int NOT NULL,
        applied int NOT NULL DEFAULT 1,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        -- which database transaction applied it: shows how many messages shared one
        applied_in xid8 NOT NULL DEFAULT pg_current_xact_id()
      )`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE test_effects`);
  }
}
