// Minimal route table: templates like `/api/v2/dags/{dag_id}` matched segment by segment (fast, no regex per request).
import type { ApiVersion, Ctx, Reply } from './http-util.js';
import type { SimRole } from './types.js';

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface RouteDef {
  method: string;
  /** Template relative to the base path, e.g. `/api/v2/dags/{dag_id}`. */
  template: string;
  /** Lowest role allowed; `public` routes need no credentials at all (version, health). */
  role: SimRole | 'public';
  handler: Handler;
  /** Body is parsed as JSON for these routes. */
  json?: boolean;
}

interface Compiled extends RouteDef {
  version: ApiVersion;
  segments: { literal: string | null; param: string | null }[];
}

export interface Match {
  route: Compiled;
  params: Record<string, string>;
}

export class Router {
  private readonly bySize = new Map<number, Compiled[]>();

  add(def: RouteDef): void {
    const parts = def.template.split('/').slice(1);
    const segments = parts.map((p) =>
      p.startsWith('{') && p.endsWith('}')
        ? { literal: null, param: p.slice(1, -1) }
        : { literal: p, param: null },
    );
    const version: ApiVersion = def.template.startsWith('/api/v1') ? 'v1' : 'v2';
    const list = this.bySize.get(segments.length) ?? [];
    list.push({ ...def, version, segments });
    // Literal segments win over parameters (`/assets/events` before `/assets/{asset_id}`).
    list.sort((a, b) => paramCount(a) - paramCount(b));
    this.bySize.set(segments.length, list);
  }

  /** Returns the match, `'method'` when the path exists for another method (405), or null (404). */
  match(method: string, path: string): Match | 'method' | null {
    const parts = path.split('/').slice(1);
    const list = this.bySize.get(parts.length);
    if (!list) return null;
    let pathMatched = false;
    for (const route of list) {
      const params = matchSegments(route, parts);
      if (!params) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route, params };
    }
    return pathMatched ? 'method' : null;
  }
}

function matchSegments(route: Compiled, parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = route.segments[i]!;
    const part = parts[i]!;
    if (seg.literal !== null) {
      if (seg.literal !== part) return null;
    } else {
      if (part === '') return null;
      try {
        params[seg.param!] = decodeURIComponent(part);
      } catch {
        return null;
      }
    }
  }
  return params;
}

function paramCount(route: Compiled): number {
  return route.segments.filter((s) => s.param !== null).length;
}
