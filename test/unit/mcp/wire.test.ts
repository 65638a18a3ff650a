// The shared wire vocabulary (src/mcp/wire.ts) agrees with the SDK, and what the load-test builders send is
// what the server's direct path takes for a 2025-era request and leaves to the SDK for a 2026-07-28 one.
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LATEST_PROTOCOL_VERSION,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import {
  LEGACY_PROTOCOL_VERSIONS,
  legacyHeaders,
  META_KEYS,
  modernHeaders,
  modernToolsCallRequest,
  toolsCallRequest,
} from '../../../loadtest/lib/protocol.js';
import {
  LATEST_LEGACY_PROTOCOL_VERSION,
  MCP_ACCEPT,
  MCP_HEADERS,
  MODERN_PROTOCOL_VERSION,
} from '../../../src/mcp/wire.js';
import { directMessage } from '../../../src/server/direct-dispatch.js';

/** Node hands the server lower-case header names. */
const asNodeHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

describe('wire vocabulary', () => {
  it('agrees with the SDK on versions and envelope keys', () => {
    expect(LATEST_LEGACY_PROTOCOL_VERSION).toBe(LATEST_PROTOCOL_VERSION);
    // Every revision the SDK negotiates by handshake lies before the envelope era.
    expect(SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v >= MODERN_PROTOCOL_VERSION)).toEqual([]);
    for (const version of LEGACY_PROTOCOL_VERSIONS) expect(SUPPORTED_PROTOCOL_VERSIONS).toContain(version);
    expect(META_KEYS).toStrictEqual({
      protocolVersion: PROTOCOL_VERSION_META_KEY,
      clientInfo: CLIENT_INFO_META_KEY,
      clientCapabilities: CLIENT_CAPABILITIES_META_KEY,
      logLevel: LOG_LEVEL_META_KEY,
    });
    expect(MCP_ACCEPT).toBe('application/json, text/event-stream');
  });

  it('a 2025-era tools/call from the builders takes the direct path', () => {
    const headers = asNodeHeaders(legacyHeaders({ protocolVersion: LATEST_LEGACY_PROTOCOL_VERSION }));
    expect(headers[MCP_HEADERS.protocolVersion.toLowerCase()]).toBe('2025-11-25');
    expect(directMessage(headers, toolsCallRequest(7, 'whoami', { a: 1 }))).toStrictEqual({
      method: 'tools/call',
      id: 7,
      name: 'whoami',
      arguments: { a: 1 },
    });
  });

  it('a 2026-07-28 request is left to the SDK, by its version header alone', () => {
    const legacyBody = toolsCallRequest(7, 'whoami');
    const modern = modernToolsCallRequest(7, 'whoami');
    const headers = asNodeHeaders(modernHeaders(modern));
    expect(headers[MCP_HEADERS.protocolVersion.toLowerCase()]).toBe('2026-07-28');
    expect(directMessage(headers, modern)).toBeUndefined();
    // Even a body without the envelope is not answered directly under the 2026-07-28 header.
    expect(directMessage(headers, legacyBody)).toBeUndefined();
  });
});
