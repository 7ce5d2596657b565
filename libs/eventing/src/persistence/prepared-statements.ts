import { createHash } from 'node:crypto';
import { Client, QueryConfig } from 'pg';

/**
 * Most distinct statement texts a process prepares. The services' SQL is hand-written and few
 * (tens of statements), so the bound is only met by text built per call, such as a multi-row
 * VALUES list whose length varies; those run unnamed, as before, instead of filling every
 * connection's memory on the server with plans used once.
 */
export const MAX_PREPARED_STATEMENTS = 256;

/**
 * PostgreSQL's answer when a prepared statement's result columns changed under it (a migration):
 * "cached plan must not change result type", SQLSTATE 0A000 (feature_not_supported). The message
 * may be translated (`lc_messages`), so the code decides; another 0A000 only costs a new Parse.
 */
function resultTypeChanged(error: unknown): boolean {
  return (error as { code?: unknown }).code === '0A000';
}

/**
 * Names for statement texts, shared by every connection of a process. Each connection prepares a
 * name the first time it runs it (node-postgres remembers which it has), and from then on sends
 * only Bind/Execute: the server neither parses nor analyses the text again, and after a few runs
 * it plans once for all (a generic plan) where that is as good.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  /** Bumped for a text whose prepared form went stale, so every connection prepares it anew. */
  private readonly generations = new Map<string, number>();

  constructor(private readonly limit = MAX_PREPARED_STATEMENTS) {}

  nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.limit) {
      return known;
    }
    const generation = this.generations.get(text) ?? 0;
    const name = `wb_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}_${generation}`;
    this.names.set(text, name);
    return name;
  }

  /**
   * The server refused a prepared statement because a migration changed the columns it returns.
   * The running transaction fails once (callers retry as for any database error); the next run of
   * the text prepares it again under a new name on whichever connection takes it.
   */
  stale(text: string): void {
    this.names.delete(text);
    this.generations.set(text, (this.generations.get(text) ?? 0) + 1);
  }

  get size(): number {
    return this.names.size;
  }
}

/**
 * A node-postgres Client that runs parameterised statements as named prepared statements. Given to
 * TypeORM's pool as `extra.Client`; statements without parameters (BEGIN, COMMIT, DDL) run as
 * before. Measured on the saga (BENCHMARKS.md): parse, analysis and planning were a third of
 * PostgreSQL's CPU when every statement came unnamed.
 */
export function preparingClient(names: StatementNames = new StatementNames()): typeof Client {
  return class PreparingClient extends Client {
    // node-postgres' query() has many overloads; TypeORM calls query(text, values) and wants a
    // promise. Every other form passes through untouched.
    override query(...args: unknown[]): never {
      const [text, values] = args;
      const name =
        args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0
          ? names.nameFor(text)
          : undefined;
      if (name === undefined) {
        return (super.query as (...a: unknown[]) => never)(...args);
      }
      const config: QueryConfig = { name, text: text as string, values: values as unknown[] };
      return (super.query(config) as Promise<unknown>).catch((error: unknown) => {
        if (resultTypeChanged(error)) {
          names.stale(text as string);
        }
        throw error;
      }) as never;
    }
  };
}
