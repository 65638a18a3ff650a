// The two call shapes most adapter methods share: a list route answered as a page, and one object mapped.
import type { UpstreamCall } from './adapter.js';
import type { QueryValue } from './http-client.js';
import { type Json, obj, page } from './normalize.js';
import type { Page, PageQuery } from './types.js';

export interface ListRoute {
  route: string;
  params?: Readonly<Record<string, string | number>>;
  /** The route's own filters, sent after limit and offset. */
  filters?: Readonly<Record<string, QueryValue>>;
  /** The key of the list in Airflow's answer, e.g. 'pools'. */
  key: string;
  what: string;
}

/** GET a list route with the page's limit and offset, mapped item by item. */
export async function getPage<T>(
  call: UpstreamCall,
  list: ListRoute,
  q: PageQuery,
  map: (item: Json) => T,
): Promise<Page<T>> {
  const { body } = await call({
    method: 'GET',
    route: list.route,
    ...(list.params ? { params: list.params } : {}),
    query: { limit: q.limit, offset: q.offset, ...list.filters },
    what: list.what,
  });
  return page(body, list.key, q, map);
}

/** GET one object and map it. */
export async function getOne<T>(
  call: UpstreamCall,
  one: { route: string; params: Readonly<Record<string, string | number>>; what: string },
  map: (item: Json) => T,
): Promise<T> {
  const { body } = await call({ method: 'GET', route: one.route, params: one.params, what: one.what });
  return map(obj(body));
}

/** GET a route whose answer holds a plain list under `key` (no paging), mapped item by item. */
export async function getList<T>(
  call: UpstreamCall,
  one: { route: string; params: Readonly<Record<string, string | number>>; what: string },
  key: string,
  map: (item: Json) => T,
): Promise<T[]> {
  const { body } = await call({ method: 'GET', route: one.route, params: one.params, what: one.what });
  const items = obj(body)[key];
  return (Array.isArray(items) ? items : []).map((item) => map(obj(item)));
}
