import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** What a list answers when no `limit` is asked for, and the most it answers at once. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/**
 * The `limit` query parameter of every cursor-paged list (1–200). A list's query extends it and
 * adds its `cursor`, whose form (an id, a SKU, a number) is the list's own.
 */
export class PageLimitQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; absent on the last. */
  readonly nextCursor?: string;
}

/**
 * One page from rows fetched with `limit + 1`: the extra row says whether there is a next page
 * without a count, and the cursor is the last item answered.
 */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  view: (row: Row) => Item,
  cursorOf: (item: Item) => string,
): Page<Item> {
  const items = rows.slice(0, limit).map(view);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined ? { items, nextCursor: cursorOf(last) } : { items };
}
