import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { InventoryConfig } from '../inventory.config';
import { ReceiveSupplierMessageService } from '../supplier-messages/receive-supplier-message.service';
import { HttpJsonSupplier } from './http-json.supplier';
import { SandboxSupplier } from './sandbox.supplier';
import type { SupplierAdapter } from './supplier-adapter';
import { Suppliers } from './suppliers';

/** One adapter per configured supplier. */
@Injectable()
export class SupplierAdapters implements OnModuleInit, BeforeApplicationShutdown {
  private readonly byId = new Map<string, SupplierAdapter>();

  constructor(config: InventoryConfig, suppliers: Suppliers, messages: ReceiveSupplierMessageService) {
    for (const supplier of suppliers.all()) {
      this.byId.set(
        supplier.id,
        supplier.adapter === 'sandbox'
          ? new SandboxSupplier(supplier, (id, rawBody, headers) => messages.receive(id, rawBody, headers))
          : new HttpJsonSupplier(supplier, config.networkPolicy, config.INVENTORY_SUPPLIER_TIMEOUT_MS),
      );
    }
  }

  /**
   * The boot half of the address check: what each supplier host resolves to now. A host that does
   * not resolve yet only waits for the send-time check; one that resolves to a refused address
   * stops the boot.
   */
  async onModuleInit(): Promise<void> {
    for (const [id, adapter] of this.byId) {
      if (!(adapter instanceof HttpJsonSupplier)) {
        continue;
      }
      const refusal = await adapter.checkResolvedAddresses().catch(() => undefined);
      if (refusal) {
        throw new Error(`supplier ${id}: its URL is refused: ${refusal}`);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const adapter of this.byId.values()) {
      await adapter.close?.();
    }
  }

  get(id: string): SupplierAdapter | undefined {
    return this.byId.get(id);
  }
}
