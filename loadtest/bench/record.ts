// Bench step 9: saves the run's figures (for --render) and writes the report from them.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { NODE } from '../harness/procs.js';
import type { Figures } from './goals.js';
import type { Open } from './measure.js';
import type { Plan } from './plan.js';
import type { ProfileSummary } from './profile.js';
import { type Check, type ReportInput, writeReport } from './report.js';
import { targetMemoryLimit } from './targets.js';
import { log } from './util.js';

export interface Run {
  started: Date;
  loadStart: number[];
  figures: Figures;
  openRows: { target: string; r: Open }[];
  colds: number[];
  profile: ProfileSummary | undefined;
  checks: Check[];
}

export function record(plan: Plan, run: Run, doc: string, saved: string): void {
  const { setup, closed, serial, memory, cold } = run.figures;
  const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const reportInput: ReportInput = {
    started: run.started,
    loadStart: run.loadStart,
    loadEnd: loadavg(),
    quick: plan.quick,
    nodeVersion,
    latencyMs: plan.latencyMs,
    connections: plan.connections,
    closedSeconds: plan.roundSeconds,
    rounds: plan.rounds,
    serialSeconds: plan.serialSeconds,
    serialRounds: plan.serialRounds,
    openSeconds: plan.openSeconds,
    rssTotal: plan.rssTotal,
    upstreamPath: setup.upstreamPath,
    upstreamPerCall: setup.upstreamPerCall,
    memoryLimit: targetMemoryLimit().how,
    closedRows: closed.closedRows,
    serial: serial.serial,
    openRows: run.openRows,
    overheadP50: serial.overheadP50,
    overheadP99: serial.overheadP99,
    memory: memory.service,
    colds: run.colds,
    cold,
    astroNote: setup.astroNote,
    profile: run.profile,
    checks: run.checks,
    floor: { ...memory.floorRss, vsSdkRps: closed.floorVsSdk.rps, vsSdkCpu: closed.floorVsSdk.cpu },
    stackFloor: memory.stackRss,
  };
  writeFileSync(saved, JSON.stringify(reportInput));
  writeReport(doc, reportInput);
  log(`wrote ${doc} (figures saved in ${saved})`);
}
