import { Injectable } from '@nestjs/common';
import { InventoryConfig } from '../inventory.config';
import type { SupplierSettings } from './supplier-settings';

/** The configured suppliers by id. An unknown one is simply absent. */
@Injectable()
export class Suppliers {
  private readonly byId: ReadonlyMap<string, SupplierSettings>;

  constructor(config: InventoryConfig) {
    this.byId = new Map(config.INVENTORY_SUPPLIER_SETTINGS.map((supplier) => [supplier.id, supplier]));
  }

  get(id: string): SupplierSettings | undefined {
    return this.byId.get(id);
  }

  all(): SupplierSettings[] {
    return [...this.byId.values()];
  }
}
