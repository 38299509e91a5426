// What the create and get actions output, and the task-log lines that show it.
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Exposure, ExposureApiSettings } from '@exposure-api/backstage-plugin-exposure-api-node';
import type { z as zod } from 'zod/v3';
import { healthyEndpointUrls } from '../exposure-progress.ts';

type Zod = typeof zod;

export const exposureOutputSchema = {
  id: (z: Zod) => z.string().describe('The exposure id, e.g. exp_01jd6y8c3k2v7d9q4r5s6t7u8w'),
  phase: (z: Zod) => z.string().describe('Provisioning, Ready, Degraded, Failed or Deleting'),
  endpoints: (z: Zod) =>
    z
      .array(z.string())
      .describe('URLs of the serving, healthy endpoints, best first (one per node and port)'),
  link: (z: Zod) => z.string().describe('The exposure in exposure-api'),
};

export interface ExposureOutput {
  id: string;
  phase: string;
  endpoints: string[];
  link: string;
}

export function exposureOutput(exposure: Exposure, settings: ExposureApiSettings): ExposureOutput {
  return {
    id: exposure.id,
    phase: exposure.status.phase,
    endpoints: healthyEndpointUrls(exposure),
    link: `${settings.externalUrl}/exposures/${exposure.id}`,
  };
}

type OutputSetter = <Name extends keyof ExposureOutput>(name: Name, value: ExposureOutput[Name]) => void;

/** Sets the step's outputs and writes the endpoints to the task log. */
export function publishExposure(
  logger: LoggerService,
  setOutput: OutputSetter,
  output: ExposureOutput,
): void {
  if (output.endpoints.length === 0) {
    logger.info(`${output.id} is ${output.phase}, with no healthy endpoint yet`);
  } else {
    logger.info(`${output.id} is ${output.phase}; healthy endpoints:`);
    for (const url of output.endpoints) logger.info(`  ${url}`);
  }
  setOutput('id', output.id);
  setOutput('phase', output.phase);
  setOutput('endpoints', output.endpoints);
  setOutput('link', output.link);
}
