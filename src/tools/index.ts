// Collects every tool domain into the one list the registry is built from.
import { dagTools } from './dags.js';
import type { ToolDefinition } from './define-tool.js';
import { diagnosticsTools } from './diagnostics.js';
import { runTools } from './runs.js';
import { taskTools } from './tasks.js';

export const allTools: readonly ToolDefinition[] = [
  ...dagTools,
  ...runTools,
  ...taskTools,
  ...diagnosticsTools,
];
