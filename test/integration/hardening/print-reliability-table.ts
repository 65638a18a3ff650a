// Prints docs/reliability.md's table from the rows the hardening tests append to $RELIABILITY_ROWS.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? process.env.RELIABILITY_ROWS;
if (!file) {
  process.stderr.write(
    'usage: RELIABILITY_ROWS=/tmp/rows.jsonl npx vitest run test/integration/hardening; tsx <this> /tmp/rows.jsonl\n',
  );
  process.exit(2);
}
interface Row {
  kind: string;
  trial: string;
  saw: string;
  ms: number;
  lost: string;
}
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Row);
const order = ['bad input', 'upstream', 'overload', 'who gets in', 'shutdown'];
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
process.stdout.write('| Kind | Case tried | What the client saw | Time | Lost |\n|---|---|---|---|---|\n');
for (const kind of order) {
  for (const r of rows.filter((x) => x.kind === kind)) {
    process.stdout.write(`| ${kind} | ${cell(r.trial)} | ${cell(r.saw)} | ${r.ms} ms | ${r.lost} |\n`);
  }
}
