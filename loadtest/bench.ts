// npm run bench [-- --quick]: airflow-mcp side by side with the SDK's reference stateless pattern, a raw
// node:http echo, the simulator called directly, and astro-airflow-mcp (Python); writes docs/benchmarks.md.
// This driver reads the options and runs the steps in loadtest/bench/ in order.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closedRounds } from './bench/closed-rounds.js';
import { coldStarts } from './bench/cold-start.js';
import { cpuProfile } from './bench/cpu-profile.js';
import { checkGoals, type Figures, finalLine } from './bench/goals.js';
import { leakCheck } from './bench/leak-check.js';
import { openRates } from './bench/open-model.js';
import type { Plan } from './bench/plan.js';
import { record } from './bench/record.js';
import { type ReportInput, writeReport } from './bench/report.js';
import { serialRounds } from './bench/serial.js';
import { setUp } from './bench/setup.js';
import { CACHE } from './bench/targets.js';
import { log } from './bench/util.js';
import { cleanupAll, installExitHandlers, ROOT } from './harness/procs.js';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean' },
    astro: { type: 'boolean', default: true },
    doc: { type: 'string' },
    // Re-renders the report from a run's saved figures (after editing bench/findings.md).
    render: { type: 'string' },
    'latency-ms': { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
  },
});
const QUICK = values.quick;
const plan: Plan = {
  quick: QUICK,
  profile: values.profile ?? !QUICK,
  astro: values.astro,
  latencyMs: Number(values['latency-ms']),
  connections: Number(values.connections),
  rounds: QUICK ? 1 : 3,
  roundSeconds: QUICK ? 3 : 5,
  warmupSeconds: QUICK ? 2 : 3,
  serialSeconds: QUICK ? 2 : 10,
  serialRounds: QUICK ? 2 : 5,
  openSeconds: QUICK ? 2 : 5,
  rateFractions: QUICK ? [0.25, 0.5] : [0.25, 0.5, 0.75],
  // The leak check: no RSS growth between 10k and 20k calls (the soak is the check over time).
  rssTotal: 20_000,
  memBudgetSeconds: QUICK ? 120 : 600,
  coldRuns: QUICK ? 3 : 7,
};
// A quick run is a smoke test: it must not overwrite the committed figures.
const DOC =
  values.doc ?? (QUICK ? resolve(CACHE, 'benchmarks-quick.md') : resolve(ROOT, 'docs/benchmarks.md'));
const SAVED = resolve(CACHE, QUICK ? 'report-input-quick.json' : 'report-input.json');

async function main(): Promise<number> {
  const started = new Date();
  const loadStart = loadavg();
  const setup = await setUp(plan);
  const closed = await closedRounds(plan, setup);
  const serial = await serialRounds(plan, setup);
  const openRows = await openRates(plan, setup, closed.svc.rps);
  const memory = await leakCheck(plan, setup, closed.samples);
  const { colds, cold } = await coldStarts(plan, setup.sim.url);
  const profile = await cpuProfile(plan, setup);
  const figures: Figures = { setup, closed, serial, memory, cold };
  const checks = checkGoals(figures);
  record(plan, { started, loadStart, figures, openRows, colds, profile, checks }, DOC, SAVED);
  log(finalLine(figures, checks, plan.quick));
  return 0;
}

installExitHandlers();
let code = 1;
try {
  if (values.render) {
    const saved = JSON.parse(readFileSync(values.render, 'utf8')) as ReportInput;
    writeReport(DOC, { ...saved, started: new Date(saved.started) });
    log(`rendered ${DOC} from ${values.render}`);
    code = 0;
  } else code = await main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  await cleanupAll();
}
process.exit(code);
