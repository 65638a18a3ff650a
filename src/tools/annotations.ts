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

const notice = z.looseObject({ code: z.literal('output_truncated'), message: z.string(), hint: z.string() });

/**
 * The shape every list tool returns. Loose objects, so fields the handler drops as null stay optional and
 * the truncation fields (`truncated`, `notice`) added by the result fitter still validate.
 */
export function listOutput(item: z.ZodType) {
  return z.looseObject({
    items: z.array(item),
    total_entries: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
    next_offset: z.number().int().nullable(),
    truncated: z.boolean().optional(),
    notice: notice.optional(),
  });
}
