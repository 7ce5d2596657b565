import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Quantity, StockLevel } from '../domain/stock-allocation';
import { queryRows } from './sql';

interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
}

function toLevel(row: StockRow): StockLevel {
  return { sku: row.sku, onHand: row.on_hand, reserved: row.reserved };
}

/** A statement that changed fewer stock rows than it had to: a broken invariant, never a business outcome. */
export class StockInvariantBroken extends Error {
  constructor(operation: string, expected: number, changed: number) {
    super(`stock ${operation} changed ${changed} of ${expected} SKU rows`);
    this.name = 'StockInvariantBroken';
  }
}

/**
 * Stock rows, by raw SQL on the caller's transaction. Every method that changes rows first locks
 * them in SKU order (`ORDER BY sku FOR UPDATE`: the lock step runs above the sort, so rows are
 * locked in that order); transactions that touch overlapping SKUs therefore queue instead of
 * deadlocking, whatever order their orders listed the lines in.
 */
@Injectable()
export class StockRepository {
  async find(manager: EntityManager, sku: string): Promise<StockLevel | undefined> {
    const rows = await queryRows<StockRow>(
      manager,
      `SELECT sku, on_hand, reserved FROM stock WHERE sku = $1`,
      [sku],
    );
    return rows[0] && toLevel(rows[0]);
  }

  /** Locks the rows of `skus` that exist, in SKU order, and returns them by SKU. */
  async lock(manager: EntityManager, skus: readonly string[]): Promise<Map<string, StockLevel>> {
    const rows = await queryRows<StockRow>(
      manager,
      `SELECT sku, on_hand, reserved FROM stock WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
      [skus],
    );
    return new Map(rows.map((row) => [row.sku, toLevel(row)]));
  }

  /**
   * Adds `lines` to reserved. The rows must be locked (`lock`) first. The condition repeats the
   * availability check in SQL, so even a caller that skipped the decision cannot oversell.
   */
  async reserve(manager: EntityManager, lines: readonly Quantity[]): Promise<void> {
    const changed = await this.apply(
      manager,
      `UPDATE stock s SET reserved = s.reserved + l.quantity, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS l(sku, quantity)
        WHERE s.sku = l.sku AND s.on_hand - s.reserved >= l.quantity
        RETURNING s.sku`,
      lines,
    );
    if (changed !== lines.length) {
      throw new StockInvariantBroken('reserve', lines.length, changed);
    }
  }

  /** Gives reserved units back to available. Locks the rows first. */
  async release(manager: EntityManager, lines: readonly Quantity[]): Promise<void> {
    await this.lock(
      manager,
      lines.map((line) => line.sku),
    );
    const changed = await this.apply(
      manager,
      `UPDATE stock s SET reserved = s.reserved - l.quantity, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS l(sku, quantity)
        WHERE s.sku = l.sku AND s.reserved >= l.quantity
        RETURNING s.sku`,
      lines,
    );
    if (changed !== lines.length) {
      throw new StockInvariantBroken('release', lines.length, changed);
    }
  }

  /** Reserved units leave the warehouse: on hand and reserved both drop. Locks the rows first. */
  async commit(manager: EntityManager, lines: readonly Quantity[]): Promise<void> {
    await this.lock(
      manager,
      lines.map((line) => line.sku),
    );
    const changed = await this.apply(
      manager,
      `UPDATE stock s SET on_hand = s.on_hand - l.quantity, reserved = s.reserved - l.quantity, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS l(sku, quantity)
        WHERE s.sku = l.sku AND s.reserved >= l.quantity
        RETURNING s.sku`,
      lines,
    );
    if (changed !== lines.length) {
      throw new StockInvariantBroken('commit', lines.length, changed);
    }
  }

  /**
   * Creates the SKU or sets its on-hand count, unless that would fall below what is reserved.
   * Returns undefined in that case. The guard sits in the statement itself, so a reservation that
   * lands between the caller's check and this write cannot slip under it.
   */
  async setOnHand(manager: EntityManager, sku: string, onHand: number): Promise<StockLevel | undefined> {
    const rows = await queryRows<StockRow>(
      manager,
      `INSERT INTO stock (sku, on_hand) VALUES ($1, $2)
       ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()
        WHERE stock.reserved <= EXCLUDED.on_hand
       RETURNING sku, on_hand, reserved`,
      [sku, onHand],
    );
    return rows[0] && toLevel(rows[0]);
  }

  /**
   * Units ordered from a supplier (positive) or no longer expected (negative: received, refused,
   * cancelled). The row must be locked. The CHECK keeps incoming from going below zero.
   */
  async addIncoming(manager: EntityManager, sku: string, delta: number): Promise<void> {
    const rows = await queryRows<{ sku: string }>(
      manager,
      `UPDATE stock SET incoming = incoming + $2, updated_at = now() WHERE sku = $1 RETURNING sku`,
      [sku, delta],
    );
    if (rows.length !== 1) {
      throw new StockInvariantBroken('incoming', 1, rows.length);
    }
  }

  /** Goods arrived: on hand up, incoming down by the same units. The row must be locked. */
  async receive(manager: EntityManager, sku: string, quantity: number): Promise<void> {
    const rows = await queryRows<{ sku: string }>(
      manager,
      `UPDATE stock SET on_hand = on_hand + $2, incoming = incoming - $2, updated_at = now()
        WHERE sku = $1 RETURNING sku`,
      [sku, quantity],
    );
    if (rows.length !== 1) {
      throw new StockInvariantBroken('receive', 1, rows.length);
    }
  }

  private async apply(manager: EntityManager, sql: string, lines: readonly Quantity[]): Promise<number> {
    const rows = await queryRows<{ sku: string }>(manager, sql, [
      lines.map((line) => line.sku),
      lines.map((line) => line.quantity),
    ]);
    return rows.length;
  }
}
