import { Injectable } from '@nestjs/common';
import { ReplenishmentTrigger } from '@waybill/contracts';
import { Outbox } from '@waybill/eventing';
import { DataSource, EntityManager } from 'typeorm';
import { policyProblem, ReplenishmentPolicy } from '../domain/replenishment-policy';
import { ReplenishmentPolicyRepository } from '../persistence/replenishment-policy.repository';
import { StockRepository } from '../persistence/stock.repository';
import { Suppliers } from '../suppliers/suppliers';
import { Evaluation, RaisedOrder, ReplenishmentPlanner } from './replenishment-planner';
import { InvalidReplenishmentPolicy, PolicyNotFound, UnknownPolicySupplier } from './replenishment.errors';

export interface PolicyView {
  readonly policy: ReplenishmentPolicy;
  readonly position: { onHand: number; reserved: number; available: number; incoming: number };
}

export interface RunResult {
  readonly checked: number;
  readonly raised: RaisedOrder[];
}

/** Most SKUs one run looks at when none are named (the rest wait for the next run or sweep). */
export const RUN_ALL_LIMIT = 1000;

/** Policies and replenishment runs: what operators, the sweep and trigger events ask for. */
@Injectable()
export class ReplenishmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly stock: StockRepository,
    private readonly policies: ReplenishmentPolicyRepository,
    private readonly planner: ReplenishmentPlanner,
    private readonly suppliers: Suppliers,
  ) {}

  /**
   * Sets a SKU's policy; the SKU becomes stocked (on hand 0) if it was not. The SKU is checked at
   * once under the new policy, so raising a reorder point above the position orders now.
   */
  async putPolicy(policy: ReplenishmentPolicy): Promise<PolicyView> {
    const problem = policyProblem(policy);
    if (problem) {
      throw new InvalidReplenishmentPolicy(policy.sku, problem);
    }
    if (!this.suppliers.get(policy.supplier)) {
      throw new UnknownPolicySupplier(policy.sku, policy.supplier);
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO stock (sku, on_hand) VALUES ($1, 0) ON CONFLICT (sku) DO NOTHING`, [
        policy.sku,
      ]);
      await this.stock.lock(manager, [policy.sku]);
      await this.policies.upsert(manager, policy);
      await this.enqueue(
        manager,
        await this.planner.evaluate(manager, [policy.sku], 'manual', { lockedAlready: true }),
      );
    });
    return this.getPolicy(policy.sku);
  }

  async getPolicy(sku: string): Promise<PolicyView> {
    const found = await this.policies.position(this.dataSource.manager, sku);
    if (!found) {
      throw new PolicyNotFound(sku);
    }
    return found;
  }

  /** A run for `skus`, or for every SKU at or below its reorder point; one transaction. */
  async run(skus: readonly string[] | undefined, trigger: ReplenishmentTrigger): Promise<RunResult> {
    return this.dataSource.transaction(async (manager) => {
      const result = await this.runIn(manager, skus, trigger);
      await this.enqueue(manager, result);
      return { checked: result.checked, raised: result.raised };
    });
  }

  /** The same in the caller's transaction (a trigger event's); the caller publishes `events`. */
  async runIn(
    manager: EntityManager,
    skus: readonly string[] | undefined,
    trigger: ReplenishmentTrigger,
  ): Promise<Evaluation & { checked: number }> {
    const chosen = skus ? [...new Set(skus)] : await this.policies.dueSkus(manager, RUN_ALL_LIMIT);
    const evaluation = await this.planner.evaluate(manager, chosen, trigger);
    return { ...evaluation, checked: chosen.length };
  }

  /** SKUs the sweep should look at now. */
  async dueSkus(): Promise<string[]> {
    return this.policies.dueSkus(this.dataSource.manager, RUN_ALL_LIMIT);
  }

  private async enqueue(manager: EntityManager, evaluation: Evaluation): Promise<void> {
    await this.outbox.enqueue(manager, evaluation.events);
  }
}
