// The MCP wire vocabulary the SDK does not export, stated once for the server, the load tests and the tests.
//
// No imports, on purpose: loadtest/lib re-exports this file and k6 loads it from there, so it must stay
// plain TypeScript with no Node, SDK or k6 dependency (test/unit/loadtest/lib-portability.test.ts).

/** The first (and, in SDK v2.4, only) revision of the per-request envelope era; later dates are that era too. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The newest 2025-era revision: what a 2025-era client asks for unless told otherwise. */
export const LATEST_LEGACY_PROTOCOL_VERSION = '2025-11-25';

export const JSON_CONTENT_TYPE = 'application/json';
export const SSE_CONTENT_TYPE = 'text/event-stream';
/** A streamable-HTTP POST must accept both answers, or the server says 406. */
export const MCP_ACCEPT = `${JSON_CONTENT_TYPE}, ${SSE_CONTENT_TYPE}`;

/** Header names as the spec spells them (HTTP matches them case-insensitively; Node lower-cases them). */
export const MCP_HEADERS = {
  protocolVersion: 'MCP-Protocol-Version',
  method: 'Mcp-Method',
  name: 'Mcp-Name',
  sessionId: 'Mcp-Session-Id',
} as const;
