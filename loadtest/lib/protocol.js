// k6 resolves import paths literally (no .js → .ts mapping like tsc or tsx), so the `./protocol.js`
// imports inside loadtest/lib land on this file, which hands over to the TypeScript module.
export * from './protocol.ts';
