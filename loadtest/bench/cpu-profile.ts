// Bench step 7 (full runs, or --profile): a CPU profile of the service under the closed tools/call load.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopChild } from '../harness/procs.js';
import { closed } from './measure.js';
import type { Plan } from './plan.js';
import { type ProfileSummary, summariseProfile } from './profile.js';
import type { Setup } from './setup.js';
import { CACHE, SERVICE_UNBUNDLED, startService } from './targets.js';
import { log, post } from './util.js';

/** The inclusive shares the report lists: samples with a matching frame ("functionName url") on the stack. */
const INCLUSIVE: Record<string, RegExp> = {
  'MCP SDK (@modelcontextprotocol/*)': /node_modules\/@modelcontextprotocol\//,
  'per-request Server construction (server-factory)': /src\/mcp\/server-factory\.js/,
  zod: /node_modules\/zod\//,
  'express 5 (router, body-parser, raw-body)':
    /node_modules\/(express|router|body-parser|raw-body|iconv-lite|type-is|content-type|on-finished|finalhandler|send|qs)\//,
  'our HTTP handling (src/server: guards, middleware, answers)': /src\/server\/.*\.js/,
  'pino (access log)': /node_modules\/(pino|sonic-boom|fast-redact)/,
  'prom-client': /node_modules\/prom-client\//,
  'undici (Airflow calls)': /node_modules\/undici\//,
  'our Airflow client (src/airflow/http-client, resilience)':
    /src\/airflow\/(http-client|resilience|airflow-dispatcher)\.js/,
  'hono node adapter (web Request/Response)': /node_modules\/@hono\//,
  'garbage collection': /^\(garbage collector\)/,
  'Node req/res ↔ web Request/Response (@modelcontextprotocol/node)':
    /node_modules\/@modelcontextprotocol\/node\//,
  'web streams (node:internal/webstreams)': /node:internal\/webstreams/,
  'SdkError construction (an exception per request)': /^SdkError /,
  'SSE framing (writeSSEEvent)': /^writeSSEEvent /,
  'module loading (start-up, not per request)':
    /^(compileSourceTextModule|wrapSafe|compileForInternalLoader|internalModuleStat|link|instantiate) /,
};

export async function cpuProfile(plan: Plan, s: Setup): Promise<ProfileSummary | undefined> {
  if (!plan.profile) return undefined;
  const dir = resolve(CACHE, 'prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The unbundled build of the same sources: in the bundle every frame would be in one file.
  const prof = await startService(s.sim.url, ['--cpu-prof', '--cpu-prof-dir', dir], SERVICE_UNBUNDLED);
  await closed(post(prof.url, s.token, s.callBody), plan.connections, plan.quick ? 5 : 15);
  await stopChild(prof.child);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const profile = summariseProfile(resolve(dir, file), INCLUSIVE);
  log(`profile: ${profile.totalSamples} samples in .cache/bench/prof/${file}`);
  for (const a of profile.byArea.slice(0, 12)) log(`  self ${(a.share * 100).toFixed(1)}%  ${a.area}`);
  for (const a of profile.inclusive) log(`  incl ${(a.share * 100).toFixed(1)}%  ${a.label}`);
  return profile;
}
