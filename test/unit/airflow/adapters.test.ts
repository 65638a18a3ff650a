// Both adapters are plain compositions of the same per-domain parts: same methods, no class chain.
import { describe, expect, it } from 'vitest';
import type { UpstreamCall } from '../../../src/airflow/adapter.js';
import { createAdapterV1 } from '../../../src/airflow/adapter-v1.js';
import { createAdapterV2 } from '../../../src/airflow/adapter-v2.js';

const routes: string[] = [];
const call: UpstreamCall = async (req) => {
  routes.push(req.route);
  return { status: 200, body: { version: '9.9.9', dags: [], total_entries: 0 }, truncated: false };
};

describe('adapters', () => {
  const v1 = createAdapterV1(call);
  const v2 = createAdapterV2(call);

  it('offer the same methods, as own properties of plain objects', () => {
    expect(Object.getPrototypeOf(v1)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(v2)).toBe(Object.prototype);
    expect(Object.keys(v1).sort()).toEqual(Object.keys(v2).sort());
    expect(Object.keys(v2).length).toBeGreaterThan(30);
  });

  it('say which API they speak, in getVersion too', async () => {
    expect([v1.apiVersion, v2.apiVersion]).toEqual(['v1', 'v2']);
    expect(await v1.getVersion()).toMatchObject({ api_version: 'v1', version: '9.9.9' });
    expect(await v2.getVersion()).toMatchObject({ api_version: 'v2', version: '9.9.9' });
  });

  it('route by dialect where Airflow 2 differs', async () => {
    routes.length = 0;
    await v2.getHealth();
    await v1.getHealth();
    await v2.listAssets({ limit: 1, offset: 0 });
    await v1.listAssets({ limit: 1, offset: 0 });
    expect(routes).toEqual(['/monitor/health', '/health', '/assets', '/datasets']);
    await expect(v1.listPools({ limit: 1, offset: 0, name_pattern: 'x' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
