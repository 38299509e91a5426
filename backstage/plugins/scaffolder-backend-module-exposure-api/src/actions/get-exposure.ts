// exposure-api:exposure:get — reads an exposure: its phase, healthy endpoints and a link.
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ExposureApiClients } from '@exposure-api/backstage-plugin-exposure-api-node';
import { describeState } from '../exposure-progress.ts';
import { exposureOutput, exposureOutputSchema, publishExposure } from './exposure-output.ts';
import { logProblem } from './log-problem.ts';

export function createExposureGetAction(options: { clients: ExposureApiClients }) {
  const { clients } = options;
  return createTemplateAction({
    id: 'exposure-api:exposure:get',
    description: 'Reads an exposure of exposure-api: its phase, its healthy endpoints and a link.',
    schema: {
      input: { id: (z) => z.string().describe('The exposure id') },
      output: exposureOutputSchema,
    },
    async handler(ctx) {
      const client = await clients.forCredentials(await ctx.getInitiatorCredentials());
      const { value } = await logProblem(ctx.logger, () => client.get(ctx.input.id));
      ctx.logger.info(describeState(value));
      publishExposure(ctx.logger, ctx.output, exposureOutput(value, clients.settings));
    },
  });
}
