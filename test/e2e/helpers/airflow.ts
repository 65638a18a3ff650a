// Access to the real Airflow started by `npm run airflow:up`: its env file, tokens, and forged tokens for auth tests.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { request } from 'undici';

const STATE = join(import.meta.dirname, '../../../.airflow');

export interface RealAirflow {
  url: string;
  home: string;
  jwtSecret: string;
  version: string;
}

/** Reads the env file of the Airflow 3 (`npm run airflow:up`) or Airflow 2 (`scripts/airflow/up2.sh`) test instance. */
export function realAirflow(major: 2 | 3 = 3): RealAirflow {
  const file = major === 3 ? join(STATE, 'e2e.env') : join(STATE, 'v2', 'e2e.env');
  if (!existsSync(file)) {
    const how = major === 3 ? '`npm run airflow:up`' : '`bash scripts/airflow/up2.sh`';
    throw new Error(`Real Airflow ${major} is not running: start it with ${how} (needs Python 3.11).`);
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return {
    url: env.AIRFLOW_URL!,
    home: env.AIRFLOW_HOME!,
    jwtSecret: env.AIRFLOW_JWT_SECRET!,
    version: env.AIRFLOW_VERSION!,
  };
}

/** A real token from Airflow's POST /auth/token. */
export async function login(airflow: RealAirflow, user: string, password = user): Promise<string> {
  const res = await request(`${airflow.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (res.statusCode !== 201 || !body.access_token)
    throw new Error(`login ${user} failed: ${res.statusCode}`);
  return body.access_token;
}

/** A token with real claims, re-signed with the test secret and an exp in the past. */
export async function expiredToken(airflow: RealAirflow, real: string): Promise<string> {
  const claims = decodeJwt(real);
  const past = Math.floor(Date.now() / 1000) - 3600;
  return new SignJWT({ ...claims, iat: past - 60, nbf: past - 60, exp: past })
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .sign(new TextEncoder().encode(airflow.jwtSecret));
}

/** Test setup straight against Airflow's REST API (not through the service under test). */
async function airflowApi(
  airflow: RealAirflow,
  token: string,
  method: 'GET' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
) {
  const res = await request(`${airflow.url}/api/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function setPaused(airflow: RealAirflow, token: string, dagId: string, paused: boolean) {
  await airflowApi(airflow, token, 'PATCH', `/dags/${dagId}?update_mask=is_paused`, { is_paused: paused });
}

export async function deleteQueuedRuns(airflow: RealAirflow, token: string, dagId: string) {
  const body = await airflowApi(airflow, token, 'GET', `/dags/${dagId}/dagRuns?state=queued&limit=100`);
  for (const run of (body.dag_runs as { dag_run_id: string }[]) ?? []) {
    await airflowApi(
      airflow,
      token,
      'DELETE',
      `/dags/${dagId}/dagRuns/${encodeURIComponent(run.dag_run_id)}`,
    );
  }
}
