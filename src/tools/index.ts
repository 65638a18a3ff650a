// Collects every tool domain into the one list the registry is built from.
import { adminTools } from './admin.js';
import { assetTools } from './assets.js';
import { dagTools } from './dags.js';
import type { ToolDefinition } from './define-tool.js';
import { diagnosticsTools } from './diagnostics.js';
import { runTools } from './runs.js';
import { taskWriteTools } from './task-writes.js';
import { taskTools } from './tasks.js';
import { uiLinkTools } from './ui-links.js';
import { workflowTools } from './workflows.js';
import { xcomTools } from './xcom.js';

export const allTools: readonly ToolDefinition[] = [
  ...workflowTools,
  ...diagnosticsTools,
  ...dagTools,
  ...runTools,
  ...taskTools,
  ...taskWriteTools,
  ...xcomTools,
  ...assetTools,
  ...adminTools,
  ...uiLinkTools,
];
