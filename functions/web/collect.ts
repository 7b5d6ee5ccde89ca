import type { Page, PageRequest } from '../../shared/db/pagination.js';

/** Beyond this many rows a page says it shows only the first ones, rather than growing without end. */
export const MAX_ROWS = 2000;

/**
 * Every item of a paginated service call, up to `max`, `pageSize` a call; `truncated` says whether
 * more were left.
 */
export async function collect<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  max = MAX_ROWS,
  pageSize = 100,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: pageSize, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && items.length < max);
  return { items: items.slice(0, max), truncated: cursor !== undefined || items.length > max };
}
