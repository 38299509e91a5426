// Runs a Software Template's steps the way Backstage's scaffolder does, in the test's process: step
// inputs and the template's output rendered with nunjitsu (the scaffolder's own template engine, with
// its options), `each:` loops, input validated against the action's JSON schema, checkpoints kept per
// task and step under the scaffolder's keys, and everything the actions log kept as the task log.
// The scaffolder backend itself needs a database and a sandboxed-templating native module, which
// these tests do without.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject, JsonValue } from '@backstage/types';
import { validate } from 'jsonschema';
import { createTemplateRenderer, type PreparedTemplateContext, type TemplateValue } from 'nunjitsu';
import type { TaskLog } from './task-log.ts';

export interface TemplateStep {
  id: string;
  name?: string;
  action: string;
  each?: string | JsonValue;
  input?: JsonObject;
}

export interface TemplateSpec {
  steps: TemplateStep[];
  output?: JsonObject;
}

/** What the scaffolder keeps of a task between runs: its checkpoints. */
export class TaskState {
  readonly checkpoints = new Map<string, JsonValue>();
}

export interface TemplateRunOptions {
  spec: TemplateSpec;
  parameters: JsonObject;
  // biome-ignore lint/suspicious/noExplicitAny: actions of any input and output, as the scaffolder registry holds them
  actions: TemplateAction<any, any, any>[];
  taskId: string;
  log: TaskLog;
  /** Kept across runs of one task, as a retried task keeps its checkpoints. */
  state?: TaskState;
  /** The task's cancel signal. */
  signal?: AbortSignal;
  /** Who started the task (default: a user, mockCredentials.user()). */
  initiator?: BackstageCredentials;
}

export interface TemplateRun {
  steps: Record<string, { output: Record<string, JsonValue> }>;
  /** The template's `output`, rendered. */
  output: JsonValue;
}

const renderer = createTemplateRenderer({ allowRegexExecution: true });
const workspacePath = mkdtempSync(join(tmpdir(), 'scaffolder-workspace-'));
process.once('exit', () => rmSync(workspacePath, { recursive: true, force: true }));

/** Renders every string inside `value`, as the scaffolder does (a failing expression stays as written). */
function render(value: JsonValue | undefined, context: PreparedTemplateContext): JsonValue {
  return JSON.parse(JSON.stringify(value ?? {}), (_key, item: unknown) => {
    if (typeof item !== 'string') return item;
    try {
      return renderer.renderValue(item, context);
    } catch {
      return item;
    }
  }) as JsonValue;
}

export async function runTemplate(options: TemplateRunOptions): Promise<TemplateRun> {
  const { spec, log, taskId } = options;
  const state = options.state ?? new TaskState();
  const steps: TemplateRun['steps'] = {};
  let context = renderer.prepareContext({
    parameters: options.parameters as TemplateValue,
    steps: {},
    context: { task: { id: taskId } },
  });
  for (const step of spec.steps) {
    const action = options.actions.find((candidate) => candidate.id === step.action);
    if (!action) throw new Error(`no action ${step.action}`);
    log.info(`Beginning step ${step.name ?? step.id}`);
    const each = step.each === undefined ? undefined : render(step.each, context);
    const iterations =
      each !== undefined && each !== null && typeof each === 'object'
        ? Object.entries(each).map(([key, value]) => ({ key, value }))
        : [undefined];
    const output: Record<string, JsonValue> = {};
    for (const iteration of iterations) {
      const iterationContext = iteration ? context.withValue(['each'], iteration as TemplateValue) : context;
      const input = render(step.input, iterationContext) as JsonObject;
      if (iteration) log.info(`Running step each: ${JSON.stringify(iteration)}`);
      const validation = validate(input, action.schema?.input ?? {});
      if (!validation.valid) {
        throw new Error(`Invalid input passed to action ${action.id}, ${validation.errors.join(', ')}`);
      }
      try {
        await action.handler({
          // A workspace of the test's own, instead of a new temporary folder (and exit listener) per call.
          ...createMockActionContext({ input, logger: log, task: { id: taskId }, workspacePath }),
          step: { id: step.id, ...(step.name && { name: step.name }) },
          ...(options.signal && { signal: options.signal }),
          ...(options.initiator && {
            getInitiatorCredentials: async () => options.initiator as BackstageCredentials,
          }),
          // biome-ignore lint/suspicious/noConfusingVoidType: the signature of ActionContext.checkpoint, as Backstage declares it
          async checkpoint<T extends JsonValue | void>(checkpoint: {
            key: string;
            fn: () => Promise<T> | T;
          }) {
            const stored = `v1.task.checkpoint.${step.id}.${checkpoint.key}`;
            if (state.checkpoints.has(stored)) return state.checkpoints.get(stored) as T;
            const value = await checkpoint.fn();
            state.checkpoints.set(stored, value ?? {});
            return value;
          },
          output(name: string, value: JsonValue) {
            if (iteration) output[name] = [...((output[name] as JsonValue[] | undefined) ?? []), value];
            else output[name] = value;
          },
        });
      } catch (error) {
        log.error(`Step ${step.id} failed: ${(error as Error).message}`);
        throw error;
      }
    }
    steps[step.id] = { output };
    context = context.withValue(['steps', step.id], { output } as TemplateValue);
    log.info(`Finished step ${step.name ?? step.id}`);
  }
  return { steps, output: render(spec.output, context) };
}
