// What oauth mode adds to every /mcp request: opening the sealed access token (JWE dir + A256GCM) and
// checking it, against forward mode's header parse. Prints µs per request; `npx tsx loadtest/bench/oauth-bearer.ts`.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseAuthorization } from '../../src/airflow/call-context.js';
import { createBearerCheck } from '../../src/server/oauth/bearer.js';
import { parseKeyRing } from '../../src/server/oauth/keys.js';
import { createSealer } from '../../src/server/oauth/sealed.js';
import { Authenticator, DEFAULT_USERS } from '../../src/sim/auth.js';

const N = Number(process.argv[2] ?? 20_000);
const resource = 'https://mcp.example.com/mcp';
const ring = parseKeyRing(
  `new ${randomBytes(32).toString('base64url')}\nold ${randomBytes(32).toString('base64url')}`,
);
const sealer = createSealer(ring, Date.now);
// A real-shaped Airflow JWT (HS512, the claims SimpleAuthManager sets) inside the token.
const airflowJwt = await new Authenticator(
  DEFAULT_USERS,
  'bench-secret-bench-secret-bench',
  86_400,
  Date.now,
).issue('admin');
const token = await sealer.seal(
  'access',
  {
    sub: 'admin',
    cid: 'client',
    cred: `Bearer ${airflowJwt}`,
    aud: resource,
    exp: Math.floor(Date.now() / 1000) + 3600,
  },
  undefined,
);
const check = createBearerCheck({
  sealer,
  resource,
  resourceMetadataUrl: `${resource}/x`,
  allowAirflowHeader: false,
  now: Date.now,
});
// Distinct tokens for first requests (nothing cached yet).
const fresh: string[] = [];
for (let i = 0; i < Math.min(N, 4_000); i++) {
  const claims = { sub: `u${i}`, cid: 'client', cred: `Bearer ${airflowJwt}`, aud: resource };
  fresh.push(
    await sealer.seal('access', { ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }, undefined),
  );
}
const headers = { authorization: `Bearer ${token}` };

async function time(label: string, fn: () => unknown | Promise<unknown>, n = N, warmUp = true) {
  if (warmUp) for (let i = 0; i < Math.min(2_000, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(7)} µs/request  (${n} requests)`);
  return us;
}

console.log(`access token ${token.length} bytes (Airflow JWT inside: ${airflowJwt.length} bytes)`);
const forward = await time('forward mode: parse Authorization', () =>
  parseAuthorization(`Bearer ${airflowJwt}`),
);
let next = 0;
// Each token once, no warm-up: every one of these is opened (decrypted and checked).
const first = await time(
  "oauth mode: a token's first request (opened)",
  async () => {
    const d = await check({ authorization: `Bearer ${fresh[next++]}` });
    if (!d.ok) throw new Error('token refused');
  },
  fresh.length,
  false,
);
const oauth = await time('oauth mode: later requests (token cached)', async () => {
  const d = await check(headers);
  if (!d.ok) throw new Error('token refused');
});
const refused = await time('oauth mode: refuse a tampered token', () =>
  check({ authorization: `Bearer ${token}x` }),
);
console.log(
  `added per request: ${(oauth - forward).toFixed(1)} µs once cached, ${(first - forward).toFixed(1)} µs for a token's first request; a refusal costs ${refused.toFixed(1)} µs`,
);
