// The adapter's administration part: pools, variables, connections (no secrets), config, plugins, providers, audit log.

import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { getOne, getPage } from './adapter-calls.js';
import { eventLogOf, pluginOf, poolOf, providerOf, safeConnection, variableOf } from './adapter-v2-map.js';
import { obj, str } from './normalize.js';
import type { ConfigSection, ListEventLogsQuery, PageQuery, Variable } from './types.js';

export type AdminPart = Pick<
  AirflowAdapter,
  | 'listPools'
  | 'getPool'
  | 'listVariables'
  | 'getVariable'
  | 'setVariable'
  | 'deleteVariable'
  | 'listConnections'
  | 'getConfig'
  | 'listPlugins'
  | 'listProviders'
  | 'listEventLogs'
>;

/** The same routes and shapes on Airflow 3 and 2; Airflow 2 refuses the name patterns it lacks (adapter-v1.ts). */
export function adminPart(call: UpstreamCall): AdminPart {
  return {
    listPools: (q: PageQuery & { name_pattern?: string | undefined }) =>
      getPage(
        call,
        { route: '/pools', filters: { pool_name_pattern: q.name_pattern }, key: 'pools', what: 'pools' },
        q,
        poolOf,
      ),

    getPool: (name: string) =>
      getOne(
        call,
        { route: '/pools/{pool_name}', params: { pool_name: name }, what: `pool '${name}'` },
        poolOf,
      ),

    listVariables: (q: PageQuery & { key_pattern?: string | undefined }) =>
      getPage(
        call,
        {
          route: '/variables',
          filters: { variable_key_pattern: q.key_pattern },
          key: 'variables',
          what: 'variables',
        },
        q,
        variableOf,
      ),

    getVariable: (key: string) =>
      getOne(
        call,
        { route: '/variables/{variable_key}', params: { variable_key: key }, what: `variable '${key}'` },
        variableOf,
      ),

    async setVariable(v: Variable) {
      // No description given: leave it out, so an update keeps the existing one (Airflow clears it on null).
      const payload = {
        key: v.key,
        value: v.value ?? '',
        ...(v.description !== null && v.description !== undefined ? { description: v.description } : {}),
      };
      const patched = await call({
        method: 'PATCH',
        route: '/variables/{variable_key}',
        params: { variable_key: v.key },
        body: payload,
        what: `variable '${v.key}'`,
        acceptStatus: [404],
      });
      if (patched.status !== 404) return { variable: variableOf(obj(patched.body)), created: false };
      const { body } = await call({
        method: 'POST',
        route: '/variables',
        body: payload,
        what: `variable '${v.key}'`,
      });
      return { variable: variableOf(obj(body)), created: true };
    },

    async deleteVariable(key: string) {
      await call({
        method: 'DELETE',
        route: '/variables/{variable_key}',
        params: { variable_key: key },
        what: `variable '${key}'`,
      });
    },

    listConnections: (q: PageQuery) =>
      getPage(call, { route: '/connections', key: 'connections', what: 'connections' }, q, safeConnection),

    async getConfig(section: string | undefined): Promise<ConfigSection[]> {
      const { body } = await call({
        method: 'GET',
        route: '/config',
        query: { section },
        what: 'the Airflow configuration',
      });
      const sections = obj(body).sections;
      return (Array.isArray(sections) ? sections : []).map((s) => {
        const sec = obj(s);
        const options = Array.isArray(sec.options) ? sec.options : [];
        return {
          name: String(sec.name),
          options: options.map((o) => ({ key: String(obj(o).key), value: str(obj(o).value) ?? '' })),
        };
      });
    },

    listPlugins: (q: PageQuery) =>
      getPage(call, { route: '/plugins', key: 'plugins', what: 'plugins' }, q, pluginOf),

    listProviders: (q: PageQuery) =>
      getPage(call, { route: '/providers', key: 'providers', what: 'providers' }, q, providerOf),

    listEventLogs: (q: ListEventLogsQuery) =>
      getPage(
        call,
        {
          route: '/eventLogs',
          filters: {
            dag_id: q.dag_id,
            task_id: q.task_id,
            run_id: q.run_id,
            event: q.event,
            owner: q.owner,
            after: q.after,
            before: q.before,
            order_by: '-id',
          },
          key: 'event_logs',
          what: 'the audit log',
        },
        q,
        eventLogOf,
      ),
  };
}
