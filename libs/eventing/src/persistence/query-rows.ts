/** Anything TypeORM can run raw SQL on: a DataSource, an EntityManager or a QueryRunner. */
export interface SqlQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * The rows a statement returned. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` and everything else with the rows; result rows are objects, never arrays, so
 * the two shapes cannot be mistaken for each other.
 */
export async function queryRows<T>(db: SqlQueryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query(sql, params);
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
