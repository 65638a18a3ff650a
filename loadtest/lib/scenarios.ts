// MCP client flows as generators: they yield HTTP requests and receive exchanges, so a sync sender
// (k6 http.post) and an async one (undici) drive the same steps and the same checks.
import type { Classification, Exchange, Expectation } from './classify.js';
import { classifyExchange } from './classify.js';
import type { ClientInfo, JsonObject, JsonRpcMessage, LegacyProtocolVersion } from './protocol.js';
import {
  discoverRequest,
  headerValue,
  initializedNotification,
  initializeRequest,
  LATEST_LEGACY_PROTOCOL_VERSION,
  legacyHeaders,
  modernHeaders,
  modernToolsCallRequest,
  modernToolsListRequest,
  toolsCallRequest,
  toolsListRequest,
} from './protocol.js';

export type Era = 'legacy' | 'modern';

/** The tool the simulator answers with the caller's own user name (`value`). */
export const WHOAMI_TOOL = 'get_variable';
export const WHOAMI_ARGS: Readonly<JsonObject> = { key: 'sim_whoami' };
export const LIST_DAGS_TOOL = 'list_dags';

/** One POST a flow wants sent. `step` names it for tags and reports. */
export interface StepRequest {
  method: 'POST';
  step: string;
  rpcMethod: string;
  era: Era;
  headers: Record<string, string>;
  body: string;
}

export interface StepResult {
  step: string;
  rpcMethod: string;
  era: Era;
  status: number;
  /** `x-served-by`: which replica answered. */
  replica: string | undefined;
  /** `Mcp-Session-Id` the server issued on this answer, if any. */
  sessionId: string | undefined;
  classification: Classification;
}

export interface FlowResult {
  era: Era;
  user: string | undefined;
  ok: boolean;
  steps: StepResult[];
  /** The step after which the flow stopped early, as a real client would after a failure. */
  abortedAt: string | undefined;
  /** A stateless server never issues one; a stateful server does on initialize. */
  sessionIdIssued: boolean;
}

export type Flow = Generator<StepRequest, FlowResult, Exchange>;

export interface FlowOptions {
  /** Full Authorization header value; omitted when undefined or empty. */
  authorization?: string;
  /** The caller's user: enables the whoami step and the token-mismatch check. */
  user?: string;
  /** Defaults to `user !== undefined`: without an expected user there is nothing to compare. */
  whoami?: boolean;
  listDags?: boolean;
  listDagsArgs?: JsonObject;
  clientInfo?: ClientInfo;
  /** The 2025-era version to request in initialize. */
  protocolVersion?: LegacyProtocolVersion;
  /** First JSON-RPC id; give each iteration its own range so crossed answers show up as wrong ids. */
  firstId?: number;
  /** Legacy only: send this (stale) Mcp-Session-Id on every request; a stateless server ignores it. */
  staleSessionId?: string;
  /** Legacy only: echo a session id the server issues, as SDK clients do (default true). */
  echoSessionId?: boolean;
  /** Keep going after a failed step instead of stopping like a real client (default false). */
  continueOnError?: boolean;
}

interface FlowState {
  result: FlowResult;
  nextId: number;
}

function newState(era: Era, options: FlowOptions): FlowState {
  const result: FlowResult = {
    era,
    user: options.user,
    ok: true,
    steps: [],
    abortedAt: undefined,
    sessionIdIssued: false,
  };
  return { result, nextId: options.firstId ?? 1 };
}

function* send(
  state: FlowState,
  step: string,
  message: JsonRpcMessage,
  headers: Record<string, string>,
  expectation: Expectation,
): Generator<StepRequest, StepResult, Exchange> {
  const era = state.result.era;
  const exchange = yield {
    method: 'POST',
    step,
    rpcMethod: message.method,
    era,
    headers,
    body: JSON.stringify(message),
  };
  const classification = classifyExchange(exchange, expectation);
  const result: StepResult = {
    step,
    rpcMethod: message.method,
    era,
    status: exchange.status,
    replica: headerValue(exchange.headers, 'x-served-by'),
    sessionId: headerValue(exchange.headers, 'mcp-session-id'),
    classification,
  };
  state.result.steps.push(result);
  if (!classification.ok) state.result.ok = false;
  if (result.sessionId !== undefined) state.result.sessionIdIssued = true;
  return result;
}

/** True when the flow should stop after `step` (records where). */
function stop(state: FlowState, step: StepResult, options: FlowOptions): boolean {
  if (step.classification.ok || options.continueOnError === true) return false;
  state.result.abortedAt = step.step;
  return true;
}

function toolSteps(options: FlowOptions): { whoami: boolean; listDags: boolean; required: string[] } {
  const whoami = options.whoami ?? options.user !== undefined;
  const listDags = options.listDags ?? true;
  const required = [...(whoami ? [WHOAMI_TOOL] : []), ...(listDags ? [LIST_DAGS_TOOL] : [])];
  return { whoami, listDags, required };
}

/**
 * 2025-era client: initialize → notifications/initialized → tools/list → tools/call whoami →
 * tools/call list_dags. Nothing relies on a session: a stateless replica can answer each POST.
 */
export function* legacyFlow(options: FlowOptions = {}): Flow {
  const state = newState('legacy', options);
  const tools = toolSteps(options);
  const requested = options.protocolVersion ?? LATEST_LEGACY_PROTOCOL_VERSION;
  let sessionId = options.staleSessionId;

  const initId = state.nextId++;
  const init = yield* send(
    state,
    'initialize',
    initializeRequest(initId, { protocolVersion: requested, clientInfo: options.clientInfo }),
    legacyHeaders({ authorization: options.authorization, sessionId }),
    { kind: 'response', id: initId, method: 'initialize', era: 'legacy' },
  );
  if (stop(state, init, options)) return state.result;
  const negotiated = init.classification.result?.protocolVersion;
  const protocolVersion = typeof negotiated === 'string' ? negotiated : requested;
  if (init.sessionId !== undefined && options.echoSessionId !== false) sessionId = init.sessionId;
  const headers = legacyHeaders({ authorization: options.authorization, sessionId, protocolVersion });

  const ack = yield* send(state, 'initialized', initializedNotification(), headers, { kind: 'accepted' });
  if (stop(state, ack, options)) return state.result;

  const listId = state.nextId++;
  const list = yield* send(state, 'tools/list', toolsListRequest(listId), headers, {
    kind: 'response',
    id: listId,
    method: 'tools/list',
    era: 'legacy',
    requireTools: tools.required,
  });
  if (stop(state, list, options)) return state.result;

  if (tools.whoami) {
    const id = state.nextId++;
    const whoami = yield* send(
      state,
      'whoami',
      toolsCallRequest(id, WHOAMI_TOOL, { ...WHOAMI_ARGS }),
      headers,
      {
        kind: 'response',
        id,
        method: 'tools/call',
        era: 'legacy',
        expectUser: options.user,
      },
    );
    if (stop(state, whoami, options)) return state.result;
  }
  if (tools.listDags) {
    const id = state.nextId++;
    const args = { ...(options.listDagsArgs ?? {}) };
    yield* send(state, 'list_dags', toolsCallRequest(id, LIST_DAGS_TOOL, args), headers, {
      kind: 'response',
      id,
      method: 'tools/call',
      era: 'legacy',
    });
  }
  return state.result;
}

/**
 * 2026-07-28 client: server/discover → tools/list → tools/call whoami → tools/call list_dags.
 * No handshake: every request carries the `_meta` envelope and the Mcp-* headers.
 */
export function* modernFlow(options: FlowOptions = {}): Flow {
  const state = newState('modern', options);
  const tools = toolSteps(options);
  const envelope = { clientInfo: options.clientInfo };
  const auth = { authorization: options.authorization };

  const discoverId = state.nextId++;
  const discover = discoverRequest(discoverId, envelope);
  const found = yield* send(state, 'discover', discover, modernHeaders(discover, auth), {
    kind: 'response',
    id: discoverId,
    method: 'server/discover',
    era: 'modern',
  });
  if (stop(state, found, options)) return state.result;

  const listId = state.nextId++;
  const listMessage = modernToolsListRequest(listId, envelope);
  const list = yield* send(state, 'tools/list', listMessage, modernHeaders(listMessage, auth), {
    kind: 'response',
    id: listId,
    method: 'tools/list',
    era: 'modern',
    requireTools: tools.required,
  });
  if (stop(state, list, options)) return state.result;

  if (tools.whoami) {
    const id = state.nextId++;
    const call = modernToolsCallRequest(id, WHOAMI_TOOL, { ...WHOAMI_ARGS }, envelope);
    const whoami = yield* send(state, 'whoami', call, modernHeaders(call, auth), {
      kind: 'response',
      id,
      method: 'tools/call',
      era: 'modern',
      expectUser: options.user,
    });
    if (stop(state, whoami, options)) return state.result;
  }
  if (tools.listDags) {
    const id = state.nextId++;
    const call = modernToolsCallRequest(id, LIST_DAGS_TOOL, { ...(options.listDagsArgs ?? {}) }, envelope);
    yield* send(state, 'list_dags', call, modernHeaders(call, auth), {
      kind: 'response',
      id,
      method: 'tools/call',
      era: 'modern',
    });
  }
  return state.result;
}

export function flowFor(era: Era, options: FlowOptions = {}): Flow {
  return era === 'legacy' ? legacyFlow(options) : modernFlow(options);
}

/** Drives a flow with a synchronous sender (k6's http.post). */
export function runFlow(flow: Flow, sendSync: (request: StepRequest) => Exchange): FlowResult {
  let next = flow.next();
  while (next.done !== true) next = flow.next(sendSync(next.value));
  return next.value;
}

/**
 * Drives a flow with an asynchronous sender (undici). A rejected send becomes a status-0
 * exchange, as k6 reports a connection failure: counted as failed, never retried.
 */
export async function runFlowAsync(
  flow: Flow,
  sendAsync: (request: StepRequest) => Promise<Exchange> | Exchange,
): Promise<FlowResult> {
  let next = flow.next();
  while (next.done !== true) {
    let exchange: Exchange;
    try {
      exchange = await sendAsync(next.value);
    } catch (error) {
      exchange = { status: 0, headers: {}, body: error instanceof Error ? error.message : String(error) };
    }
    next = flow.next(exchange);
  }
  return next.value;
}
