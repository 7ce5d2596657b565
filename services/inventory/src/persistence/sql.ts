import { EntityManager } from 'typeorm';

/**
 * The rows a statement returned. TypeORM answers UPDATE and DELETE with `[rows, rowCount]` and
 * everything else with the rows; result rows are objects, never arrays, so the shapes cannot mix up.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
