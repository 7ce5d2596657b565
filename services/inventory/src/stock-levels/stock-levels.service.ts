import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { available, decideOnHand, StockLevel } from '../domain/stock-allocation';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from '../policies/replenishment-planner';
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

export interface SetStockLevelCommand {
  readonly sku: string;
  readonly onHand: number;
}

/** What an operator sees of stock per SKU. */
@Injectable()
export class GetStockLevel {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
  ) {}

  async execute(sku: string): Promise<StockView> {
    const level = await this.stock.find(this.dataSource.manager, sku);
    if (!level) {
      throw new StockNotFound(sku);
    }
    return view(level);
  }
}

/** Creates the SKU or sets its on-hand count (a stock take); never below what is reserved. */
@Injectable()
export class SetStockLevel {
  constructor(
    private readonly stock: StockRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async execute(uow: UnitOfWork, { sku, onHand }: SetStockLevelCommand): Promise<StockView> {
    const { manager } = uow;
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
    await this.replenishment.evaluate(uow, [sku], 'reorder_point', { lockedAlready: true });
    return view(level);
  }
}
