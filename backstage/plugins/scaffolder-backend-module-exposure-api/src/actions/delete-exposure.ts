// exposure-api:exposure:delete — deletes an exposure (its firewall rules first, then its Service)
// and waits, through the status stream, until both are gone. An exposure already gone counts as
// deleted, so that a retried step succeeds.
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { type ExposureApiClients, ExposureApiError } from '@exposure-api/backstage-plugin-exposure-api-node';
import { describeState, waitForDeletion } from '../exposure-progress.ts';
import { logProblem } from './log-problem.ts';

const DEFAULT_TIMEOUT_SECONDS = 300;

export function createExposureDeleteAction(options: { clients: ExposureApiClients }) {
  const { clients } = options;
  return createTemplateAction({
    id: 'exposure-api:exposure:delete',
    description: 'Deletes an exposure of exposure-api: its firewall rules, then its Service.',
    schema: {
      input: {
        id: (z) => z.string().describe('The exposure id'),
        wait: (z) =>
          z.boolean().optional().describe('Wait until the rules and the Service are gone (default true)'),
        timeoutSeconds: (z) =>
          z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(`How long to wait (default ${DEFAULT_TIMEOUT_SECONDS})`),
      },
      output: {
        state: (z) => z.enum(['deleted', 'deleting']).describe('deleting: still going when the step ended'),
      },
    },
    async handler(ctx) {
      const { id, wait = true, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS } = ctx.input;
      const client = await clients.forCredentials(await ctx.getInitiatorCredentials());
      ctx.logger.info(`Deleting ${id}`);
      const outcome = await logProblem(ctx.logger, () =>
        client.delete(id).catch((error: unknown) => {
          if (error instanceof ExposureApiError && error.status === 404) return { state: 'gone' as const };
          throw error;
        }),
      );
      if (outcome.state === 'deleting' && wait) {
        ctx.logger.info(describeState(outcome.exposure));
        await waitForDeletion({ client, id, timeoutSeconds, signal: ctx.signal, logger: ctx.logger });
      } else if (outcome.state === 'deleting') {
        ctx.output('state', 'deleting');
        return;
      }
      ctx.logger.info(outcome.state === 'gone' ? `${id} was already gone` : `${id} is deleted`);
      ctx.output('state', 'deleted');
    },
  });
}
