import { Injectable } from '@nestjs/common';
import { ReplenishmentTrigger } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { policyProblem, ReplenishmentPolicy } from '../domain/replenishment-policy';
import { ReplenishmentPolicyRepository } from '../persistence/replenishment-policy.repository';
import { StockRepository } from '../persistence/stock.repository';
import { Suppliers } from '../suppliers/suppliers';
import { RaisedOrder, ReplenishmentPlanner } from '../policies/replenishment-planner';
import { InvalidReplenishmentPolicy, PolicyNotFound, UnknownPolicySupplier } from './replenishment.errors';

export interface PolicyView {
  readonly policy: ReplenishmentPolicy;
  readonly position: { onHand: number; reserved: number; available: number; incoming: number };
}

export interface RunResult {
  readonly checked: number;
  readonly raised: RaisedOrder[];
}

export interface RunReplenishmentCommand {
  /** The SKUs to check; absent: every SKU at or below its reorder point (up to RUN_ALL_LIMIT). */
  readonly skus?: readonly string[];
  readonly trigger: ReplenishmentTrigger;
}

/** Most SKUs one run looks at when none are named (the rest wait for the next run or sweep). */
export const RUN_ALL_LIMIT = 1000;

/** A policy as an operator reads it, with the SKU's position. */
@Injectable()
export class GetReplenishmentPolicy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: ReplenishmentPolicyRepository,
  ) {}

  async execute(sku: string): Promise<PolicyView> {
    const found = await this.policies.position(this.dataSource.manager, sku);
    if (!found) {
      throw new PolicyNotFound(sku);
    }
    return found;
  }
}

/**
 * Sets a SKU's policy; the SKU becomes stocked (on hand 0) if it was not. The SKU is checked at
 * once under the new policy, so raising a reorder point above the position orders now.
 */
@Injectable()
export class PutReplenishmentPolicy {
  constructor(
    private readonly stock: StockRepository,
    private readonly policies: ReplenishmentPolicyRepository,
    private readonly planner: ReplenishmentPlanner,
    private readonly suppliers: Suppliers,
  ) {}

  /** Throws before touching anything when the policy is invalid or names an unknown supplier. */
  check(policy: ReplenishmentPolicy): void {
    const problem = policyProblem(policy);
    if (problem) {
      throw new InvalidReplenishmentPolicy(policy.sku, problem);
    }
    if (!this.suppliers.get(policy.supplier)) {
      throw new UnknownPolicySupplier(policy.sku, policy.supplier);
    }
  }

  async execute(uow: UnitOfWork, policy: ReplenishmentPolicy): Promise<PolicyView> {
    this.check(policy);
    const { manager } = uow;
    await manager.query(`INSERT INTO stock (sku, on_hand) VALUES ($1, 0) ON CONFLICT (sku) DO NOTHING`, [
      policy.sku,
    ]);
    await this.stock.lock(manager, [policy.sku]);
    await this.policies.upsert(manager, policy);
    await this.planner.evaluate(uow, [policy.sku], 'manual', { lockedAlready: true });
    const view = await this.policies.position(manager, policy.sku);
    if (!view) {
      throw new Error(`policy of ${policy.sku} not visible in the transaction that wrote it`);
    }
    return view;
  }
}

/**
 * A replenishment run: the run endpoint, the sweep (one SKU per unit of work) and trigger events
 * (the event's unit of work) all come here.
 */
@Injectable()
export class RunReplenishment {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: ReplenishmentPolicyRepository,
    private readonly planner: ReplenishmentPlanner,
  ) {}

  async execute(uow: UnitOfWork, { skus, trigger }: RunReplenishmentCommand): Promise<RunResult> {
    const chosen = skus ? [...new Set(skus)] : await this.policies.dueSkus(uow.manager, RUN_ALL_LIMIT);
    const raised = await this.planner.evaluate(uow, chosen, trigger);
    return { checked: chosen.length, raised };
  }

  /** SKUs the sweep should look at now. */
  async dueSkus(): Promise<string[]> {
    return this.policies.dueSkus(this.dataSource.manager, RUN_ALL_LIMIT);
  }
}
