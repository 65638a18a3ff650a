// Variable routes (read and write need role op, as in Airflow): list, get, create, patch, delete.
import {
  bodyObject,
  type Ctx,
  forbidExtra,
  HttpError,
  likeMatcher,
  listParam,
  noContent,
  notFound,
  ok,
  page,
  paginate,
  validation,
} from './http-util.js';
import type { VariableRec } from './model.js';
import { type Registrar, type SimApp, sortBy } from './route-kit.js';
import * as v2 from './serialize-v2.js';

/** Reading this variable returns the authenticated user's name as its value. */
export const WHOAMI_KEY = 'sim_whoami';

export function registerVariableRoutes(r: Registrar, app: SimApp): void {
  const ser = (ctx: Ctx, v: VariableRec) =>
    ctx.v === 'v2' ? v2.variable(v) : { key: v.key, value: v.value, description: v.description };
  const missing = (ctx: Ctx, key: string) =>
    ctx.v === 'v2'
      ? notFound('v2', `The Variable with key: \`${key}\` was not found`)
      : notFound('v1', 'Variable does not exist', 'Variable not found');
  const parse = (ctx: Ctx, requireAll: boolean): VariableRec => {
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, ['key', 'value', 'description']);
    const issues = [];
    if (typeof body.key !== 'string' && requireAll)
      issues.push({ type: 'missing', loc: ['body', 'key'], msg: 'Field required', input: body });
    if (body.value === undefined && requireAll)
      issues.push({ type: 'missing', loc: ['body', 'value'], msg: 'Field required', input: body });
    if (issues.length > 0) throw validation(ctx.v, issues);
    const value = typeof body.value === 'string' ? body.value : JSON.stringify(body.value ?? null);
    return {
      key: String(body.key ?? ''),
      value,
      description: typeof body.description === 'string' ? body.description : null,
    };
  };

  r('GET', '/variables', 'op', (ctx) => {
    const pattern = ctx.query.get('variable_key_pattern');
    const m = pattern ? likeMatcher(pattern) : null;
    const all = sortBy(
      [...app.store.variables.values()].filter((v) => !m || m(v.key)),
      listParam(ctx, 'order_by'),
      { id: (v) => v.key, key: (v) => v.key },
      'id',
    );
    return ok({ variables: paginate(all, page(ctx)).map((v) => ser(ctx, v)), total_entries: all.length });
  });
  r('GET', '/variables/{variable_key}', 'op', (ctx) => {
    if (ctx.params.variable_key === WHOAMI_KEY) {
      // Simulator-only: names the caller the request authenticated as (identity checks in load tests).
      return ok(
        ser(ctx, { key: WHOAMI_KEY, value: ctx.user ?? 'anonymous', description: 'Simulator: the caller' }),
      );
    }
    const v = app.store.variables.get(ctx.params.variable_key!);
    if (!v) throw missing(ctx, ctx.params.variable_key!);
    return ok(ser(ctx, v));
  });
  r('POST', '/variables', 'op', (ctx) => {
    const v = parse(ctx, true);
    if (app.store.variables.has(v.key)) {
      throw new HttpError(409, `The Variable with key: \`${v.key}\` already exists`);
    }
    app.store.variables.set(v.key, v);
    app.store.audit('variable.create', ctx.user, {}, ctx.now, JSON.stringify({ key: v.key }));
    return ok(ser(ctx, v), ctx.v === 'v2' ? 201 : 200);
  });
  r('PATCH', '/variables/{variable_key}', 'op', (ctx) => {
    const key = ctx.params.variable_key!;
    const existing = app.store.variables.get(key);
    if (!existing) throw missing(ctx, key);
    const body = bodyObject(ctx);
    const patch = parse(ctx, false);
    if (typeof body.key === 'string' && body.key !== key)
      throw new HttpError(400, "Invalid body, key from request body doesn't match uri parameter");
    const mask = listParam(ctx, 'update_mask');
    const want = (f: string) => (mask.length === 0 ? body[f] !== undefined : mask.includes(f));
    if (want('value')) existing.value = patch.value;
    if (want('description')) existing.description = patch.description;
    app.store.audit('variable.edit', ctx.user, {}, ctx.now, JSON.stringify({ key }));
    return ok(ser(ctx, existing));
  });
  r('DELETE', '/variables/{variable_key}', 'op', (ctx) => {
    const key = ctx.params.variable_key!;
    if (!app.store.variables.delete(key)) throw missing(ctx, key);
    app.store.audit('variable.delete', ctx.user, {}, ctx.now, JSON.stringify({ key }));
    return noContent();
  });
}
