// Parsing an admin request's body or query with a zod schema: the caller's mistakes answer 400 naming each field.
import type { z } from 'zod';
import { AdminError } from './admin-http.js';

export function parseRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AdminError(400, 'invalidRequest', result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return result.data;
}

/** A positive integer query parameter up to `max`, or the default when absent. */
export function pageSizeParameter(value: string | null, fallback: number, max: number): number {
  const size = value === null ? fallback : Number(value);
  if (!Number.isInteger(size) || size < 1 || size > max) throw new AdminError(400, 'invalidRequest', `pageSize must be an integer from 1 to ${max}`);
  return size;
}
