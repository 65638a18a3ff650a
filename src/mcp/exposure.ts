// Which tools a request may see and call: the operator's choice, optionally narrowed per request, never widened.
import { ConfigError } from '../config/settings.js';
import { isWriteTool, type ToolDefinition } from '../tools/define-tool.js';
import { isToolset, TOOLSETS, type Toolset } from '../tools/toolsets.js';

/** The operator's settings (MCP_TOOLSETS, MCP_TOOLS, MCP_EXCLUDE_TOOLS, MCP_READ_ONLY). */
export interface ExposureSettings {
  readonly toolsets?: readonly string[];
  readonly tools?: readonly string[];
  readonly excludeTools?: readonly string[];
  readonly readOnly: boolean;
}

/** A client's narrowing for one request (e.g. from the URL path `/mcp/x/dags,runs/readonly`). */
export interface Narrowing {
  /** Only these toolsets (of those the operator exposes); omitted or empty = no narrowing by toolset. */
  readonly toolsets?: readonly string[];
  /** true hides and refuses write tools; false changes nothing (it cannot undo the operator's read-only). */
  readonly readOnly?: boolean;
}

export interface Exposure {
  /** Stable identity of this tool set, for caching its tools/list answer. */
  readonly key: string;
  /** Write tools are hidden and refused with `read_only`. */
  readonly readOnly: boolean;
  /** Names of the tools listed and callable. */
  readonly names: ReadonlySet<string>;
  /** Why a known tool is not exposed: 'read_only' (a write tool under read-only) or 'not_exposed'. */
  refusal(tool: ToolDefinition): 'read_only' | 'not_exposed' | undefined;
}

/** A narrowing named a toolset that does not exist; the HTTP layer answers it with 404. */
export class UnknownToolsetError extends Error {
  override name = 'UnknownToolsetError';
  constructor(readonly toolset: string) {
    super(`Unknown toolset ${JSON.stringify(toolset.slice(0, 50))}; toolsets are ${TOOLSETS.join(', ')}.`);
  }
}

function build(
  tools: readonly ToolDefinition[],
  selected: ReadonlySet<string>,
  readOnly: boolean,
  key: string,
): Exposure {
  const names = new Set(
    tools.filter((t) => selected.has(t.name) && !(readOnly && isWriteTool(t))).map((t) => t.name),
  );
  return {
    key,
    readOnly,
    names,
    refusal(tool) {
      if (names.has(tool.name)) return undefined;
      // Reported as read-only only when read-only is all that hides it: else the tool set is the reason.
      return readOnly && isWriteTool(tool) && selected.has(tool.name) ? 'read_only' : 'not_exposed';
    },
  };
}

/**
 * The operator's exposure: all tools, or the union of MCP_TOOLSETS' tools and MCP_TOOLS when either is set;
 * minus MCP_EXCLUDE_TOOLS; minus write tools under MCP_READ_ONLY. Unknown names fail start-up (ConfigError).
 */
export function operatorExposure(tools: readonly ToolDefinition[], settings: ExposureSettings): Exposure {
  const known = new Set(tools.map((t) => t.name));
  const check = (env: string, names: readonly string[] | undefined) => {
    for (const name of names ?? []) {
      if (!known.has(name))
        throw new ConfigError(
          `Invalid ${env}: unknown tool ${JSON.stringify(name)} (docs/tools.md lists the tool names)`,
        );
    }
  };
  for (const name of settings.toolsets ?? []) {
    if (!isToolset(name))
      throw new ConfigError(
        `Invalid MCP_TOOLSETS: unknown toolset ${JSON.stringify(name)} (toolsets: ${TOOLSETS.join(', ')})`,
      );
  }
  check('MCP_TOOLS', settings.tools);
  check('MCP_EXCLUDE_TOOLS', settings.excludeTools);
  const toolsets = new Set<string>(settings.toolsets ?? []);
  const named = new Set(settings.tools ?? []);
  const all = toolsets.size === 0 && named.size === 0;
  const excluded = new Set(settings.excludeTools ?? []);
  const selected = new Set(
    tools
      .filter((t) => (all || toolsets.has(t.toolset) || named.has(t.name)) && !excluded.has(t.name))
      .map((t) => t.name),
  );
  return build(tools, selected, settings.readOnly, `op${settings.readOnly ? ':ro' : ''}`);
}

/**
 * Narrows an exposure for one request: only tools of the given toolsets, and read-only when asked.
 * Never widens: the result is a subset of `base`. Throws UnknownToolsetError for a name not in TOOLSETS.
 */
export function narrowExposure(
  tools: readonly ToolDefinition[],
  base: Exposure,
  narrowing: Narrowing = {},
): Exposure {
  const wanted = new Set<Toolset>();
  for (const name of narrowing.toolsets ?? []) {
    if (!isToolset(name)) throw new UnknownToolsetError(name);
    wanted.add(name);
  }
  const readOnly = base.readOnly || narrowing.readOnly === true;
  if (wanted.size === 0 && readOnly === base.readOnly) return base;
  const selected = new Set(
    tools
      .filter((t) => base.names.has(t.name) && (wanted.size === 0 || wanted.has(t.toolset)))
      .map((t) => t.name),
  );
  // Write tools hidden by the base's read-only stay refusable as read_only, not as "not exposed".
  if (readOnly) {
    for (const t of tools) {
      if (isWriteTool(t) && base.refusal(t) === 'read_only' && (wanted.size === 0 || wanted.has(t.toolset)))
        selected.add(t.name);
    }
  }
  const sets = [...wanted].sort().join(',');
  return build(tools, selected, readOnly, `${base.key}|${sets}${readOnly ? ':ro' : ''}`);
}

/**
 * The narrowing a URL path below the MCP path asks for: '' (none), '/readonly', '/x/<toolset>[,<toolset>…]',
 * '/x/<toolsets>/readonly'. Undefined for any other path (the HTTP layer answers 404). Toolset names are
 * checked by narrowExposure (UnknownToolsetError).
 */
export function narrowingFromPath(rest: string): Narrowing | undefined {
  const path = rest.replace(/\/+$/, '');
  if (path === '') return {};
  if (path === '/readonly') return { readOnly: true };
  const m = /^\/x\/([A-Za-z0-9_,-]{1,200})(\/readonly)?$/.exec(path);
  if (!m) return undefined;
  const toolsets = m[1]!.split(',').filter(Boolean);
  if (toolsets.length === 0) return undefined;
  return { toolsets, ...(m[2] ? { readOnly: true } : {}) };
}
