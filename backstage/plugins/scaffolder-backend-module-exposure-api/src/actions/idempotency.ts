// A create step must make one exposure however often it runs (a retried step, a task resumed after
// a restart) and two steps — or two iterations of an `each:` loop — must not be taken for one.
import { createHash } from 'node:crypto';

/**
 * The iteration of an `each:` loop the step runs in. Backstage's scaffolder does not hand `each` to
 * actions (ctx.each stays empty), so templates pass `${{ each.key }}` as the `iteration` input.
 */
export function iterationOf(
  input: string | number | undefined,
  each: { readonly [key: string]: unknown } | undefined,
): string {
  if (input !== undefined) return String(input);
  const key = each?.key;
  return typeof key === 'string' || typeof key === 'number' ? String(key) : '';
}

/** The Idempotency-Key of a create: one per task, step and iteration (printable ASCII, as the API asks). */
export function idempotencyKeyOf(taskId: string, stepId: string, iteration: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([taskId, stepId, iteration]))
    .digest('hex');
  return `backstage-scaffolder-${digest}`;
}

/** The checkpoint of a create; the scaffolder scopes checkpoints by task and step, not by iteration. */
export function checkpointKeyOf(iteration: string): string {
  return iteration === '' ? 'exposure-api.create' : `exposure-api.create.${iteration}`;
}
