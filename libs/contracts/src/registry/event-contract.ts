import 'reflect-metadata';

export type EventClass<T extends object = object> = new () => T;

export interface EventDefinition<T extends object = object> {
  /** `ce_type`, e.g. `waybill.order.placed.v1` */
  readonly type: string;
  /** The producing service's topic, e.g. `waybill.order.events`. */
  readonly topic: string;
  readonly cls: EventClass<T>;
  /** One line for the JSON Schema and AsyncAPI description. */
  readonly description: string;
}

const CONTRACT = Symbol('waybill:event-contract');

/** Marks a class as the contract of one event version. The registry is built from these. */
export function EventContract(meta: Omit<EventDefinition, 'cls'>): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(CONTRACT, meta, target);
  };
}

export function contractOf<T extends object>(cls: EventClass<T>): EventDefinition<T> {
  const meta = Reflect.getMetadata(CONTRACT, cls) as Omit<EventDefinition, 'cls'> | undefined;
  if (!meta) {
    throw new Error(`${cls.name} has no @EventContract`);
  }
  return { ...meta, cls };
}
