// The MCP wire vocabulary, from its one source in the product (src/mcp/wire.ts, which imports nothing).
export * from '../../src/mcp/wire.js';
