// Summarises a V8 .cpuprofile: self time by function and by area (package or src/ file).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  totalSamples: number;
  byArea: { area: string; share: number }[];
  byFunction: { fn: string; share: number }[];
  /** Inclusive share of frames whose function name matches, e.g. per-request server construction. */
  inclusive: { label: string; share: number }[];
}

/** node_modules package, src/ file, node internals, or (program)/(gc)/(idle). */
export function areaOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/.+)\.js$/.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url.split('/').slice(-2).join('/');
}

export function summariseProfile(path: string, inclusiveLabels: Record<string, RegExp> = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let total = 0;
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const a = areaOf(url, functionName || '(anonymous)');
    area.set(a, (area.get(a) ?? 0) + hits);
    const key = `${functionName || '(anonymous)'} ${a}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + hits);
    // Walk up once per sample-bearing node; count each label at most once per stack.
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const where = `${frame.functionName} ${frame.url}`;
      for (const [label, re] of Object.entries(inclusiveLabels)) {
        if (!seen.has(label) && re.test(where)) {
          seen.add(label);
          inclusive.set(label, (inclusive.get(label) ?? 0) + hits);
        }
      }
    }
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => ({ name, share: hits / total }));
  return {
    totalSamples: total,
    byArea: top(area, 20).map(({ name, share }) => ({ area: name, share })),
    byFunction: top(fn, 25).map(({ name, share }) => ({ fn: name, share })),
    inclusive: [...inclusive.entries()].map(([label, hits]) => ({ label, share: hits / total })),
  };
}
