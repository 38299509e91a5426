// The module's actions as the scaffolder gets them, calling the given exposure-api with Backstage's
// mock auth and user-info services.
import { readFile } from 'node:fs/promises';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { createExposureApiClients } from '@exposure-api/backstage-plugin-exposure-api-node';
import { parse } from 'yaml';
import { SANDBOX_TOKENS } from '../../../test-support/sandbox.ts';
import type { TemplateSpec } from '../../../test-support/template-runner.ts';
import { createExposureCreateAction } from '../src/actions/create-exposure.ts';
import { createExposureDeleteAction } from '../src/actions/delete-exposure.ts';
import { createExposureGetAction } from '../src/actions/get-exposure.ts';

export function exposureActions(baseUrl: string, exposureApi: JsonObject = {}) {
  const clients = createExposureApiClients({
    config: mockServices.rootConfig({
      data: { exposureApi: { baseUrl, token: SANDBOX_TOKENS.admin.token, ...exposureApi } },
    }),
    auth: mockServices.auth(),
    userInfo: mockServices.userInfo({ ownershipEntityRefs: ['user:default/mock', 'group:default/search'] }),
  });
  return [
    createExposureCreateAction({ clients }),
    createExposureGetAction({ clients }),
    createExposureDeleteAction({ clients }),
  ];
}

/** The example template shipped with the module. */
export async function exampleTemplate(): Promise<TemplateSpec> {
  const text = await readFile(new URL('../examples/template.yaml', import.meta.url), 'utf8');
  return (parse(text) as { spec: TemplateSpec }).spec;
}

/** A template of the given steps, for the tests that need several or unusual ones. */
export function stepsOnly(steps: TemplateSpec['steps']): TemplateSpec {
  return { steps };
}
