// exposure-api:exposure:create — exposes a workload and, unless told otherwise, waits until it is
// Ready through its status stream, logging each state; outputs the id, the healthy endpoints' URLs
// and a link.

import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  type ExposureApiClients,
  withBackstageErrors,
} from '@exposure-api/backstage-plugin-exposure-api-node';
import { describeState, waitForMilestone } from '../exposure-progress.ts';
import { exposureOutput, exposureOutputSchema, publishExposure } from './exposure-output.ts';
import { checkpointKeyOf, idempotencyKeyOf, iterationOf } from './idempotency.ts';
import { logProblem } from './log-problem.ts';

const DEFAULT_TIMEOUT_SECONDS = 600;

export function createExposureCreateAction(options: { clients: ExposureApiClients }) {
  const { clients } = options;
  return createTemplateAction({
    id: 'exposure-api:exposure:create',
    description:
      'Exposes a Kubernetes workload on a NodePort and opens the firewall for it (exposure-api), then waits until it is Ready and outputs its healthy endpoints.',
    examples: [
      {
        description: 'Expose search/elasticsearch on port 9200 to 10.20.0.0/16 and wait until Ready',
        example: [
          'steps:',
          '  - id: expose',
          '    action: exposure-api:exposure:create',
          '    input:',
          '      namespace: search',
          '      name: elasticsearch',
          '      selector: { app: elasticsearch }',
          '      ports: [{ name: http, port: 9200 }]',
          '      sourceRanges: [10.20.0.0/16]',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        namespace: (z) => z.string().describe('Namespace of the workload'),
        name: (z) => z.string().describe('Name of the NodePort Service to create (a DNS-1035 label)'),
        selector: (z) => z.record(z.string()).describe('Labels of the pods to expose'),
        ports: (z) =>
          z
            .array(
              z.object({
                name: z.string().optional(),
                port: z.number().int(),
                targetPort: z.union([z.number().int(), z.string()]).optional(),
                nodePort: z.number().int().optional(),
                protocol: z.enum(['TCP', 'UDP']).optional(),
              }),
            )
            .describe('Ports of the Service; a node port is allocated unless given'),
        sourceRanges: (z) => z.array(z.string()).describe('CIDRs the firewall admits'),
        labels: (z) => z.record(z.string()).optional().describe('Labels of the Service'),
        externalTrafficPolicy: (z) => z.enum(['Cluster', 'Local']).optional(),
        ttlSeconds: (z) => z.number().int().optional().describe('Delete the exposure after this long'),
        waitFor: (z) =>
          z
            .enum(['Ready', 'FirewallReady', 'None'])
            .optional()
            .describe(
              'Ready (default): serving and healthy. FirewallReady: Service and firewall rules in place (the workload may come in a later step). None: do not wait.',
            ),
        timeoutSeconds: (z) =>
          z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(`How long to wait (default ${DEFAULT_TIMEOUT_SECONDS})`),
        iteration: (z) =>
          z.union([z.string(), z.number()]).optional().describe(
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a scaffolder expression, written as template authors write it
            'Inside an each: loop, ${{ each.key }}: each iteration makes its own exposure (the scaffolder does not tell actions which iteration runs).',
          ),
      },
      output: exposureOutputSchema,
    },
    async handler(ctx) {
      const {
        waitFor = 'Ready',
        timeoutSeconds = DEFAULT_TIMEOUT_SECONDS,
        iteration,
        ...request
      } = ctx.input;
      const client = await clients.forCredentials(await ctx.getInitiatorCredentials());
      const iterationKey = iterationOf(iteration, ctx.each);
      const idempotencyKey = idempotencyKeyOf(ctx.task.id, ctx.step?.id ?? '', iterationKey);
      ctx.signal?.throwIfAborted();
      // A retried step finds the id in its checkpoint and calls nothing; a step that stopped after the
      // call but before the checkpoint was kept calls again, and the Idempotency-Key answers the same
      // exposure.
      const { id } = await ctx.checkpoint({
        key: checkpointKeyOf(iterationKey),
        fn: async () => {
          ctx.logger.info(
            `Exposing ${request.namespace}/${request.name} (Idempotency-Key ${idempotencyKey})`,
          );
          const { value } = await logProblem(ctx.logger, () => client.create(request, { idempotencyKey }));
          ctx.logger.info(describeState(value));
          return { id: value.id };
        },
      });
      const exposure =
        waitFor === 'None'
          ? (await withBackstageErrors(() => client.get(id))).value
          : await waitForMilestone({
              client,
              id,
              milestone: waitFor,
              timeoutSeconds,
              signal: ctx.signal,
              logger: ctx.logger,
            });
      publishExposure(ctx.logger, ctx.output, exposureOutput(exposure, clients.settings));
    },
  });
}
