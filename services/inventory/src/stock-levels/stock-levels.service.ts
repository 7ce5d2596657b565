import { Injectable } from '@nestjs/common';
import { Outbox } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { available, decideOnHand, StockLevel } from '../domain/stock-allocation';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from '../replenishment/replenishment-planner';
import { OnHandBelowReserved, StockNotFound } from './stock-levels.errors';

export interface StockView {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

function view(level: StockLevel): StockView {
  return { sku: level.sku, onHand: level.onHand, reserved: level.reserved, available: available(level) };
}

/** What an operator sees and sets: stock per SKU. */
@Injectable()
export class StockLevelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
    private readonly outbox: Outbox,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async get(sku: string): Promise<StockView> {
    const level = await this.stock.find(this.dataSource.manager, sku);
    if (!level) {
      throw new StockNotFound(sku);
    }
    return view(level);
  }

  /** Creates the SKU or sets its on-hand count (a stock take); never below what is reserved. */
  async setOnHand(sku: string, onHand: number): Promise<StockView> {
    return this.dataSource.transaction(async (manager) => {
      const current = (await this.stock.lock(manager, [sku])).get(sku);
      const decision = decideOnHand(current, sku, onHand);
      if (decision.outcome === 'below-reserved') {
        throw new OnHandBelowReserved(sku, onHand, decision.reserved);
      }
      const level = await this.stock.setOnHand(manager, sku, onHand);
      // Only when another transaction created the SKU and reserved on it after our lock found nothing.
      if (!level) {
        const now = await this.stock.find(manager, sku);
        throw new OnHandBelowReserved(sku, onHand, now?.reserved ?? 0);
      }
      // The row is locked (or was just inserted) by this transaction: decide on what it wrote.
      const { events } = await this.replenishment.evaluate(manager, [sku], 'reorder_point', {
        lockedAlready: true,
      });
      await this.outbox.enqueue(manager, events);
      return view(level);
    });
  }
}
