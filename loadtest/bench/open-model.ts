// Bench step 4: the open model, fixed arrival rates as fractions of airflow-mcp's closed-model capacity.
import { type Open, openModel } from './measure.js';
import type { Plan } from './plan.js';
import type { Setup } from './setup.js';
import { log } from './util.js';

export async function openRates(
  plan: Plan,
  s: Setup,
  svcRps: number,
): Promise<{ target: string; r: Open }[]> {
  const openRows: { target: string; r: Open }[] = [];
  for (const [target, call] of [
    ['airflow-mcp', s.calls.svcCall],
    ['SDK reference', s.calls.sdkCall],
  ] as const) {
    for (const fraction of plan.rateFractions) {
      const rate = Math.max(10, Math.round((svcRps * fraction) / 10) * 10);
      const r = await openModel(call, rate, plan.openSeconds, 512);
      openRows.push({ target, r });
      log(
        `open ${target} @${rate}/s: achieved ${r.achieved}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, dropped ${r.dropped}`,
      );
    }
  }
  return openRows;
}
