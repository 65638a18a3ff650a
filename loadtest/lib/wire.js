// k6 resolves import paths literally: this hands the product's dependency-free wire vocabulary over as is.
export * from '../../src/mcp/wire.ts';
