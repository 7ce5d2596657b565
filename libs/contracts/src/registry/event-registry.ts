import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { contractOf, EventClass, EventDefinition } from './event-contract';

/** An event that does not match its contract; becomes the DLQ reason. */
export class ContractViolation extends Error {
  constructor(
    readonly code: 'EVENT.UNKNOWN_TYPE' | 'EVENT.INVALID_DATA',
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(details.length ? `${message}: ${details.join('; ')}` : message);
    this.name = 'ContractViolation';
  }
}

/** Flattens nested class-validator errors into `path: constraint message` lines. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

export class EventRegistry {
  private readonly byType = new Map<string, EventDefinition>();

  constructor(classes: readonly EventClass[]) {
    for (const cls of classes) {
      const definition = contractOf(cls);
      if (this.byType.has(definition.type)) {
        throw new Error(`event type ${definition.type} is registered twice`);
      }
      this.byType.set(definition.type, definition);
    }
  }

  definitions(): EventDefinition[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  definition(type: string): EventDefinition | undefined {
    return this.byType.get(type);
  }

  topicOf(type: string): string {
    const definition = this.byType.get(type);
    if (!definition) {
      throw new ContractViolation('EVENT.UNKNOWN_TYPE', `unknown event type ${type}`);
    }
    return definition.topic;
  }

  /**
   * Turns raw JSON data into the contract's class instance, or throws ContractViolation naming every
   * broken rule. Unknown properties are stripped, not refused: a producer may add optional fields
   * in the same version without breaking older consumers.
   */
  async parse<T extends object = object>(type: string, data: unknown): Promise<T> {
    const definition = this.byType.get(type);
    if (!definition) {
      throw new ContractViolation('EVENT.UNKNOWN_TYPE', `unknown event type ${type}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ContractViolation('EVENT.INVALID_DATA', `${type} data must be a JSON object`);
    }
    const instance = plainToInstance(definition.cls, data) as T;
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: true });
    if (errors.length > 0) {
      throw new ContractViolation(
        'EVENT.INVALID_DATA',
        `${type} data is invalid`,
        describeValidationErrors(errors),
      );
    }
    return instance;
  }
}
