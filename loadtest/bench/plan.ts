// What one bench run does: durations, rounds and rates, derived from the CLI options by loadtest/bench.ts.
export interface Plan {
  quick: boolean;
  profile: boolean;
  astro: boolean;
  latencyMs: number;
  connections: number;
  /** Closed model: rounds, and seconds per target per round. */
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  /** Serial latency: total seconds per target, split over its rounds. */
  serialSeconds: number;
  serialRounds: number;
  /** Open model: seconds per rate, rates as fractions of airflow-mcp's closed-model tools/call capacity. */
  openSeconds: number;
  rateFractions: number[];
  /** The leak check: requests sent, and its time budget. */
  rssTotal: number;
  memBudgetSeconds: number;
  coldRuns: number;
}
