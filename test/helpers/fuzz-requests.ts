// fast-check generators of MCP requests (bodies and headers), shared by the fuzz test and the path comparison.
import fc from 'fast-check';
import { allTools } from '../../src/tools/index.js';
import { MCP_ACCEPT } from './raw-mcp.js';

export const TOOL_NAMES = allTools.map((t) => t.name);
const METHODS = [
  'initialize',
  'tools/list',
  'tools/call',
  'ping',
  'server/discover',
  'resources/list',
  'prompts/get',
  'notifications/initialized',
  'notifications/cancelled',
  'logging/setLevel',
  'completion/complete',
];
const ARG_NAMES = [
  'dag_id',
  'run_id',
  'task_id',
  'key',
  'value',
  'limit',
  'offset',
  'state',
  'conf',
  'try_number',
  'map_index',
  'pattern',
  'tags',
  'logical_date',
  'dry_run',
  'continuation_token',
  'pool_name',
];
const HUGE = [
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '1e-400',
  '-0',
  '1.7976931348623157e308',
  '9007199254740993',
];
const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2026-07-28', '1999-01-01', 'garbage', ''];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('..', '../config', '%2F', 'a\r\nb', 'x\u0000', '\u202e', '😀'.repeat(50), 'a'.repeat(300)),
);
const value = fc.oneof(
  { depthSize: 'small' },
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(text, fc.integer()), { maxLength: 5 }),
  fc.json().map((j) => JSON.parse(j) as unknown),
  fc.anything({ maxDepth: 4 }),
);
const args = fc.oneof(
  fc.dictionary(fc.constantFrom(...ARG_NAMES), value, { maxKeys: 5 }),
  fc.dictionary(text, value, { maxKeys: 4 }),
  value,
);
const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.constant({ a: 1 }),
);
const toolCall = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: fc.integer({ min: 1, max: 1_000_000 }),
  method: fc.constant('tools/call'),
  params: fc.record({ name: fc.constantFrom(...TOOL_NAMES), arguments: args }),
});
const anyMessage = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.constant('1.0'), fc.constant(undefined)),
    id,
    method: fc.oneof(fc.constantFrom(...METHODS), fc.constantFrom(...METHODS), text),
    params: fc.oneof(
      fc.record({ name: fc.oneof(fc.constantFrom(...TOOL_NAMES), text), arguments: args }),
      fc.record({
        protocolVersion: fc.constantFrom(...VERSIONS),
        capabilities: fc.constant({}),
        clientInfo: fc.constant({ name: 'fuzz', version: '1' }),
      }),
      value,
    ),
  },
  { requiredKeys: ['method'] },
);
const message = fc.oneof({ weight: 3, arbitrary: toolCall }, { weight: 2, arbitrary: anyMessage });
/** A request body: mostly tool calls and other JSON-RPC, some batches, odd numbers, deep nesting, junk. */
export const body = fc.oneof(
  { weight: 8, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 3 }).map((b) => JSON.stringify(b)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...TOOL_NAMES), fc.constantFrom(...ARG_NAMES), fc.constantFrom(...HUGE))
      .map(
        ([name, arg, n]) =>
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${name}","arguments":{"${arg}":${n}}}}`,
      ),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 50, max: 2000 })
      .map((d) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'['.repeat(d)}${']'.repeat(d)}}`),
  },
);
// Header values must be valid on the wire (undici refuses CR/LF); everything else is fair game.
const headerText = fc.string({
  unit: fc.constantFrom(...'abcXYZ019 -_./:;=,*"\'()<>[]{}?!@#$%^&|~`+'.split('')),
  maxLength: 40,
});
const randomHeaders = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-16',
      'multipart/form-data',
      '',
    ),
    accept: fc.constantFrom(MCP_ACCEPT, 'application/json', 'text/event-stream', '*/*', ''),
    'mcp-protocol-version': fc.constantFrom(...VERSIONS),
    'mcp-session-id': headerText,
    'x-request-id': headerText,
    authorization: fc.oneof(
      fc.integer({ min: 0, max: 3 }).map((i) => `cred:${i}`),
      headerText,
    ),
    origin: fc.constantFrom('http://localhost:6274', 'https://attacker.example', 'null'),
    'x-api-key': headerText,
  },
  { requiredKeys: [] },
);
// Mostly well-formed headers, so most requests get past the HTTP gates and exercise the MCP and tool layers.
const goodHeaders = fc.record(
  {
    'content-type': fc.constant('application/json'),
    accept: fc.constant(MCP_ACCEPT),
    'mcp-protocol-version': fc.constantFrom('2025-11-25', '2025-06-18', '2025-03-26'),
    authorization: fc.integer({ min: 0, max: 3 }).map((i) => `cred:${i}`),
    'x-request-id': headerText,
    'mcp-session-id': headerText,
  },
  { requiredKeys: ['content-type', 'accept', 'mcp-protocol-version', 'authorization'] },
);
/** Request headers; `authorization` may be a placeholder `cred:<i>` the test replaces with a real one. */
export const headers = fc.oneof(
  { weight: 4, arbitrary: goodHeaders },
  { weight: 1, arbitrary: randomHeaders },
);
