// MCP annotation sets shared by the tool domains, and the output-schema helpers for list results.
import { z } from 'zod';
import type { ToolAnnotations } from './define-tool.js';

/** Reads one Airflow; repeating a call changes nothing. */
export const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** Builds a write annotation set; every field is spelled out so each tool's choice is visible. */
export function write(hints: {
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
}): ToolAnnotations {
  return {
    readOnlyHint: false,
    destructiveHint: hints.destructive,
    idempotentHint: hints.idempotent,
    openWorldHint: hints.openWorld,
  };
}

/**
 * The shape every list tool returns: a list of items. Loose, so the paging and truncation fields
 * (`total_entries`, `offset`, `next_offset`, `truncated`, `notice`) validate without being spelled out
 * in every tool's schema on every tools/list.
 */
export function listOutput() {
  return z.looseObject({ items: z.array(z.looseObject({})) });
}
