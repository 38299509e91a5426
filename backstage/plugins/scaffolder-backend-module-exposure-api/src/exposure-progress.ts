// Waiting for an exposure through its status stream (GET /exposures/{id}/watch), one task-log line
// per state it passes through, until it reaches what the step waits for — or fails, times out, or
// the task is cancelled (the step's abort signal).
import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  type Exposure,
  ExposureApiError,
  type ExposureClient,
  toBackstageError,
  type WatchEvent,
} from '@exposure-api/backstage-plugin-exposure-api-node';

/** `Ready`: serving and healthy. `FirewallReady`: the Service and its firewall rules are in place. */
export type Milestone = 'Ready' | 'FirewallReady';

export interface FollowOptions {
  client: ExposureClient;
  id: string;
  timeoutSeconds: number;
  /** The step's abort signal (the task was cancelled). */
  signal: AbortSignal | undefined;
  logger: LoggerService;
}

/** Follows the exposure until it reaches `milestone`, and answers it as it is then. */
export async function waitForMilestone(options: FollowOptions & { milestone: Milestone }): Promise<Exposure> {
  const { id, milestone } = options;
  let reachedState: Exposure | undefined;
  await follow(options, milestone, (event) => {
    if (event.type === 'deleted') throw new NotFoundError(`${id} was deleted while waiting for ${milestone}`);
    const exposure = event.exposure;
    if (reached(exposure, milestone)) reachedState = exposure;
    else if (exposure.status.phase === 'Failed') throw new Error(`${id} failed: ${conditionsOf(exposure)}`);
    return reachedState !== undefined;
  });
  return reachedState as Exposure;
}

/** Follows a deleted exposure until its firewall rules and Service are gone. */
export async function waitForDeletion(options: FollowOptions): Promise<void> {
  try {
    await follow(options, 'deleted', (event) => event.type === 'deleted');
  } catch (error) {
    // Gone before the watch began.
    if (error instanceof NotFoundError) return;
    throw error;
  }
}

async function follow(
  options: FollowOptions,
  goal: string,
  isDone: (event: WatchEvent) => boolean,
): Promise<void> {
  const { client, id, timeoutSeconds, logger } = options;
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let last: Exposure | undefined;
  try {
    for await (const event of client.watchExposure(id, { signal })) {
      if (event.type === 'exposure') {
        last = event.exposure;
        logger.info(describeState(last));
      }
      if (isDone(event)) return;
    }
  } catch (error) {
    throw error instanceof ExposureApiError ? toBackstageError(error) : error;
  }
  // The stream ends without an error only when the signal aborted it.
  if (options.signal?.aborted) throw new Error(`cancelled while waiting for ${id} to be ${goal}`);
  const lastSeen = last ? `: ${last.status.phase}, ${conditionsOf(last)}` : '';
  throw new Error(`${id} is not ${goal} after ${timeoutSeconds} s${lastSeen}`);
}

function reached(exposure: Exposure, milestone: Milestone): boolean {
  if (milestone === 'Ready') return exposure.status.phase === 'Ready';
  return exposure.status.conditions.some((c) => c.type === 'FirewallReady' && c.status === 'True');
}

/** `exp_… search/elasticsearch: Provisioning (ServiceReady=True Created, …); 0 of 3 endpoints healthy`. */
export function describeState(exposure: Exposure): string {
  const { healthy, total } = exposure.endpointSummary;
  return `${exposure.id} ${exposure.namespace}/${exposure.name}: ${exposure.status.phase} (${conditionsOf(exposure)}); ${healthy} of ${total} endpoints healthy`;
}

function conditionsOf(exposure: Exposure): string {
  return exposure.status.conditions
    .map((c) => `${c.type}=${c.status} ${c.reason}${c.status === 'True' ? '' : `: ${c.message}`}`)
    .join(', ');
}

/** The URLs of the serving, healthy endpoints, best first (the order exposure-api gives them). */
export function healthyEndpointUrls(exposure: Exposure): string[] {
  return exposure.endpoints.flatMap((endpoint) =>
    endpoint.serving && endpoint.health.state === 'Healthy' && endpoint.url ? [endpoint.url] : [],
  );
}
