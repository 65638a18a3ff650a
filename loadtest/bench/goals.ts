// Bench step 8: the goals checked against the figures, and the final JSON line a run prints.
import type { ClosedResults } from './closed-rounds.js';
import type { Memory } from './leak-check.js';
import type { Check } from './report.js';
import type { SerialResults } from './serial.js';
import type { Setup } from './setup.js';
import { fmt, log, round3 } from './util.js';

/** Every figure the run measured, as the steps returned them. */
export interface Figures {
  setup: Setup;
  closed: ClosedResults;
  serial: SerialResults;
  memory: Memory;
  cold: number;
}

/** Least-squares growth over the second half, or the two end points when there were too few samples. */
function rssGrowth(m: Memory): number {
  return m.service.rssTrend ?? m.service.rssEnd - m.service.rssHalf;
}

export function checkGoals(f: Figures): Check[] {
  const { closed: c, memory, cold } = f;
  const { overheadP50 } = f.serial;
  const { rssEnd, rssHalf, heapHalf, heapEnd, sentHalf, sentTotal, errors, samples } = memory.service;
  const { stackRss, floorRss } = memory;
  const growth = rssGrowth(memory);
  const svcCpu = c.svc.cpuPerReq;
  const stackCpu = c.row('stack_call').cpuPerReq;
  const sdkFlagsCpu = c.row('sdk_call_flags').cpuPerReq;
  const modernCpu = c.row('svc_modern').cpuPerReq;
  const problems = f.setup.problems;
  const checks: Check[] = [
    {
      goal: 'tools/call CPU ≤ 2× the express + undici proxy (stack floor)',
      ok: c.vsStackCpu === undefined ? null : c.vsStackCpu <= 2,
      value: `${fmt(c.vsStackCpu)}× (${fmt(svcCpu)} vs ${fmt(stackCpu)} CPU ms; the bare node:http floor ${fmt(c.row('floor_call').cpuPerReq)})`,
    },
    {
      goal: 'tools/call ≥ 3× less CPU than the SDK reference, same Node flags',
      ok: c.vsSdkFlags.cpu === undefined ? null : c.vsSdkFlags.cpu >= 3,
      value: `${fmt(c.vsSdkFlags.cpu)}× less CPU, ${fmt(c.vsSdkFlags.rps)}× req/s (${fmt(sdkFlagsCpu)} CPU ms). On its own defaults: ${fmt(c.vsSdk.cpu)}× less CPU, ${fmt(c.vsSdk.rps)}× req/s (${fmt(c.sdk.cpuPerReq)} CPU ms)`,
    },
    {
      goal: 'tools/call ≥ 10× Python anchor',
      ok: c.vsAstro.rps === undefined ? null : c.vsAstro.rps >= 10,
      value: c.astro
        ? `${fmt(c.vsAstro.rps)}× req/s at 8 connections; ${fmt(c.vsAstro.cpu)}× less CPU per request`
        : 'not measured',
    },
    { goal: 'MCP overhead p50 ≤ 1 ms', ok: overheadP50 <= 1, value: `${overheadP50.toFixed(3)} ms` },
    { goal: 'cold start ≤ 500 ms', ok: cold <= 500, value: `${cold.toFixed(0)} ms` },
    {
      goal: `no RSS growth between ${sentHalf} and ${sentTotal} calls (≤ 5 MiB)`,
      ok: growth <= 5 && errors === 0,
      value: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB RSS (least-squares trend of ${samples.filter((s) => s.sent >= sentHalf).length} samples; the two end points alone: ${(rssEnd - rssHalf).toFixed(1)}), heap ${heapHalf.toFixed(1)} → ${heapEnd.toFixed(1)} MiB`,
    },
    {
      goal: 'RSS after load within 20 MiB of the express + undici proxy',
      ok: rssEnd - stackRss.loaded <= 20,
      value: `${rssEnd.toFixed(1)} MiB after ${sentTotal} calls vs ${stackRss.loaded.toFixed(1)} MiB after its ${stackRss.served} (+${(rssEnd - stackRss.loaded).toFixed(1)}); bare node:http floor ${floorRss.loaded.toFixed(1)} MiB`,
    },
    {
      goal: 'a 2026-07-28 tools/call costs ≤ 2× a 2025-era one',
      ok: c.modernVsLegacyCpu === undefined ? null : c.modernVsLegacyCpu <= 2,
      value: `${fmt(c.modernVsLegacyCpu)}× (${fmt(modernCpu)} vs ${fmt(svcCpu)} CPU ms)`,
    },
    {
      goal: 'every target answered correctly (preflight, no errors/non-2xx)',
      ok: problems.length === 0 && c.closedRows.every((r) => r.r.errors === 0 && r.r.non2xx === 0),
      value: problems.length === 0 ? 'yes' : problems.join('; '),
    },
  ];
  for (const k of checks) log(`${k.ok === null ? 'N/A ' : k.ok ? 'MET ' : 'MISS'} ${k.goal}: ${k.value}`);
  return checks;
}

/** The one-line JSON summary a run ends with. */
export function finalLine(f: Figures, checks: Check[], quick: boolean): string {
  const { closed: c, memory } = f;
  const { vsSdk, vsAstro } = c;
  const { overheadP50, overheadP99 } = f.serial;
  const { rssEnd, rssIdle, rssAfterClosed } = memory.service;
  return JSON.stringify({
    tools_call_rps: c.svc.rps,
    tools_list_rps: c.svcList.rps,
    sdk_reference_rps: c.sdk.rps,
    sdk_reference_list_rps: c.sdkList.rps,
    raw_echo_rps: c.echo.rps,
    bare_proxy_rps: c.row('floor_call').rps,
    bare_proxy_cpu_ms: round3(c.row('floor_call').cpuPerReq),
    bare_proxy_rss_mib: Number(memory.floorRss.loaded.toFixed(1)),
    tools_call_cpu_ms: round3(c.svc.cpuPerReq),
    sdk_reference_cpu_ms: round3(c.sdk.cpuPerReq),
    astro_cpu_ms: round3(c.astro?.cpuPerReq),
    sim_direct_rps: c.sim.rps,
    astro_rps: c.astro?.rps ?? null,
    astro_connections: c.astro ? 8 : null,
    vs_sdk_reference_rps_ratio: vsSdk.rps === undefined ? null : Number(vsSdk.rps.toFixed(2)),
    vs_sdk_reference_cpu_ratio: vsSdk.cpu === undefined ? null : Number(vsSdk.cpu.toFixed(2)),
    vs_astro_rps_ratio: vsAstro.rps === undefined ? null : Number(vsAstro.rps.toFixed(2)),
    p50_ms: c.svc.p50,
    p99_ms: c.svc.p99,
    overhead_p50_ms: Number(overheadP50.toFixed(3)),
    overhead_p99_ms: Number(overheadP99.toFixed(3)),
    rss_mib: Number(rssEnd.toFixed(1)),
    rss_idle_mib: Number(rssIdle.toFixed(1)),
    rss_after_closed_runs_mib: Number(rssAfterClosed.toFixed(1)),
    rss_growth_mib: Number(rssGrowth(memory).toFixed(1)),
    cold_start_ms: Math.round(f.cold),
    stack_floor_cpu_ms: round3(c.row('stack_call').cpuPerReq),
    stack_floor_rss_mib: Number(memory.stackRss.loaded.toFixed(1)),
    sdk_reference_same_flags_cpu_ms: round3(c.row('sdk_call_flags').cpuPerReq),
    modern_call_cpu_ms: round3(c.row('svc_modern').cpuPerReq),
    quick,
    goals_met: Object.fromEntries(checks.map((k) => [k.goal, k.ok])),
  });
}
