// The Firewalls port on Compute Engine, through the official @google-cloud/compute client (REST).
// The same code talks to the real API (Application Default Credentials) or to the project's
// Compute emulator (`apiEndpoint: '127.0.0.1'`, `port`, `protocol: 'http'` and a pass-through
// auth client, see pass-through-auth.ts).
//
// Retries: the generated client retries get/list and operation polls on UNAVAILABLE (HTTP 503)
// for up to 10 minutes by default, and writes not at all. The application backs off on its own
// and reports failures in an exposure's conditions, so hidden long retries would only delay
// that: every call here is made once, with a timeout, and its failure classified. The one
// exception is polling the operation of a write GCE already accepted: a transient failure of a
// poll says nothing about the write, so polling goes on (briefly backing off) until the
// operation's deadline.

import { setTimeout as sleep } from 'node:timers/promises';
import type { protos } from '@google-cloud/compute';
import type { AuthClient } from 'google-auth-library';
import {
  FirewallError,
  type FirewallPage,
  type FirewallRuleSpec,
  type Firewalls,
  type ListFirewallsOptions,
  type ObservedFirewallRule,
} from '../../application/ports/firewalls.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
// The two clients straight from their modules (the package's entry point loads every Compute API
// client and its 30 MB of generated protos), with only the protocol definition they use.
import { FirewallsClient, GlobalOperationsClient } from './compute-clients.ts';
import { toFirewallResource, toObservedRule, toPartialFirewallResource } from './firewall-mapping.ts';
import { classifyCallError, isCallTimeout, operationFailure } from './gce-errors.ts';

type Operation = protos.google.cloud.compute.v1.IOperation;

export interface GceFirewallsConfig {
  /** The project holding the rules: the network's host project under shared VPC. */
  project: string;
  /** Host of the API; default `compute.googleapis.com`. */
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Credentials to use instead of Application Default Credentials. */
  authClient?: AuthClient;
  recorder?: UpstreamCallRecorder;
  /** How long one HTTP call may take before it fails as Unavailable; default 30 s. */
  callTimeoutMs?: number;
  /** How long a write may take until its operation is DONE; default 3 min. */
  operationTimeoutMs?: number;
}

/** The adapter, plus `close` to release the clients' connections. */
export interface GceFirewalls extends Firewalls {
  close(): Promise<void>;
}

/** Per-call options of the generated client: one attempt (no retry codes), with a timeout. */
interface SingleAttempt {
  timeout: number;
  retry: { retryCodes: number[] };
}

const maxPageSize = 500;
/** Every field the comparison with a desired rule reads (firewall-comparison.ts), and the page token. */
const COMPARED_FIELDS_MASK =
  'items(name,description,network,priority,direction,disabled,sourceRanges,sourceTags,sourceServiceAccounts,destinationRanges,targetTags,targetServiceAccounts,allowed,denied),nextPageToken';
const firstPollBackoffMs = 100;
const maxPollBackoffMs = 2_000;

export function createGceFirewalls(config: GceFirewallsConfig): GceFirewalls {
  return new ComputeEngineFirewalls(config);
}

class ComputeEngineFirewalls implements GceFirewalls {
  readonly project: string;
  readonly #firewalls: FirewallsClient;
  readonly #operations: GlobalOperationsClient;
  readonly #recorder: UpstreamCallRecorder;
  readonly #callTimeoutMs: number;
  readonly #operationTimeoutMs: number;

  constructor(config: GceFirewallsConfig) {
    this.project = config.project;
    this.#recorder = config.recorder ?? ignoreUpstreamCalls;
    this.#callTimeoutMs = config.callTimeoutMs ?? 30_000;
    this.#operationTimeoutMs = config.operationTimeoutMs ?? 180_000;
    // Each client mutates the options it is given, so each gets its own copy.
    const clientOptions = () => ({
      projectId: config.project,
      ...(config.apiEndpoint === undefined ? {} : { apiEndpoint: config.apiEndpoint }),
      ...(config.port === undefined ? {} : { port: config.port }),
      ...(config.protocol === undefined ? {} : { protocol: config.protocol }),
      ...(config.authClient === undefined ? {} : { authClient: config.authClient }),
    });
    this.#firewalls = new FirewallsClient(clientOptions());
    this.#operations = new GlobalOperationsClient(clientOptions());
  }

  async get(name: string): Promise<ObservedFirewallRule | undefined> {
    try {
      const [firewall] = await this.#call('firewalls.get', (options) =>
        this.#firewalls.get({ project: this.project, firewall: name }, options),
      );
      return toObservedRule(firewall);
    } catch (error) {
      if (error instanceof FirewallError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  async listPage(options: ListFirewallsOptions = {}): Promise<FirewallPage> {
    const request: protos.google.cloud.compute.v1.IListFirewallsRequest = {
      project: this.project,
      maxResults: Math.min(options.maxResults ?? maxPageSize, maxPageSize),
    };
    if (options.namePrefix) request.filter = `name eq "${escapeRegex(options.namePrefix)}.*"`;
    if (options.pageToken) request.pageToken = options.pageToken;
    // The `fields` system parameter travels as its header form: the generated request has no
    // field for it.
    const otherArgs = options.comparedFieldsOnly
      ? { headers: { 'X-Goog-FieldMask': COMPARED_FIELDS_MASK } }
      : undefined;
    const [firewalls, , response] = await this.#call('firewalls.list', (callOptions) =>
      this.#firewalls.list(request, { ...callOptions, autoPaginate: false, ...(otherArgs && { otherArgs }) }),
    );
    const page: FirewallPage = { rules: firewalls.map(toObservedRule) };
    if (response?.nextPageToken) page.nextPageToken = response.nextPageToken;
    return page;
  }

  async insert(rule: FirewallRuleSpec): Promise<void> {
    const [operation] = await this.#call('firewalls.insert', (options) =>
      this.#firewalls.insert({ project: this.project, firewallResource: toFirewallResource(rule) }, options),
    );
    await this.#untilDone(startedOperation(operation));
  }

  async patch(name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void> {
    const emptied = (['sourceRanges', 'allowed', 'targetTags', 'targetServiceAccounts'] as const).filter(
      (field) => changes[field]?.length === 0,
    );
    if (emptied.length > 0) {
      throw new FirewallError(
        'Invalid',
        `A patch cannot clear ${emptied.join(', ')} (the client leaves empty lists out); use update`,
      );
    }
    const [operation] = await this.#call('firewalls.patch', (options) =>
      this.#firewalls.patch(
        { project: this.project, firewall: name, firewallResource: toPartialFirewallResource(changes) },
        options,
      ),
    );
    await this.#untilDone(startedOperation(operation));
  }

  async update(rule: FirewallRuleSpec): Promise<void> {
    const [operation] = await this.#call('firewalls.update', (options) =>
      this.#firewalls.update(
        { project: this.project, firewall: rule.name, firewallResource: toFirewallResource(rule) },
        options,
      ),
    );
    await this.#untilDone(startedOperation(operation));
  }

  async delete(name: string): Promise<'deleted' | 'absent'> {
    try {
      const [operation] = await this.#call('firewalls.delete', (options) =>
        this.#firewalls.delete({ project: this.project, firewall: name }, options),
      );
      await this.#untilDone(startedOperation(operation));
      return 'deleted';
    } catch (error) {
      if (error instanceof FirewallError && error.kind === 'NotFound') return 'absent';
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#firewalls.close(), this.#operations.close()]);
  }

  /**
   * Waits (with `operations.wait`, which blocks server-side) until the operation is DONE. Each wait
   * call gets the per-call timeout, not what is left of the operation's: GCE answers a wait after
   * about two minutes even when the operation is still RUNNING, so a wait that timed out is simply
   * made again; and google-gax keeps each call's request and answer reachable from its timeout
   * timer until that timer fires, so a long timeout on every wait held a write storm's state for
   * minutes after the writes were done.
   */
  async #untilDone(started: Operation): Promise<void> {
    const deadline = Date.now() + this.#operationTimeoutMs;
    const name = started.name ?? '';
    let operation = started;
    let backoffMs = firstPollBackoffMs;
    while (String(operation.status) !== 'DONE') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new FirewallError(
          'Unavailable',
          `Operation ${name} on ${started.targetLink ?? 'a firewall rule'} was not DONE after ${this.#operationTimeoutMs} ms`,
        );
      }
      try {
        [operation] = await this.#call(
          'globalOperations.wait',
          (options) => this.#operations.wait({ project: this.project, operation: name }, options),
          {
            timeoutMs: Math.min(remaining, this.#callTimeoutMs),
            outcome: ([polled]) => operationFailure(polled),
          },
        );
        backoffMs = firstPollBackoffMs;
      } catch (error) {
        // A wait that timed out is made again (the loop ends it once the deadline has passed).
        if (isCallTimeout(error)) continue;
        // Otherwise only when the server answered (429, 5xx): a refused connection is not worth
        // minutes of polling.
        const transient = error instanceof FirewallError && error.retryable && error.httpStatus !== undefined;
        if (!transient || Date.now() + backoffMs >= deadline) throw error;
        await sleep(backoffMs * (0.5 + Math.random() / 2));
        backoffMs = Math.min(backoffMs * 2, maxPollBackoffMs);
      }
    }
    const failure = operationFailure(operation);
    if (failure) throw failure;
  }

  /**
   * Makes one call, records it, and turns any failure into a FirewallError. `outcome` reports a
   * failure carried by a successful answer (an operation DONE with an error), so that it is
   * recorded with its kind rather than as ok.
   */
  async #call<T>(
    operation: string,
    invoke: (options: SingleAttempt) => Promise<T>,
    extra: { timeoutMs?: number; outcome?: (result: T) => FirewallError | undefined } = {},
  ): Promise<T> {
    const started = performance.now();
    const record = (outcome: string) =>
      this.#recorder.record({
        system: 'gce',
        operation,
        outcome,
        seconds: (performance.now() - started) / 1000,
      });
    const timeout = Math.max(1, extra.timeoutMs ?? this.#callTimeoutMs);
    let result: T;
    try {
      result = await invoke({ timeout, retry: { retryCodes: [] } });
    } catch (error) {
      const failure = classifyCallError(error);
      // A call that ran out of its timeout is told apart from one GCE refused: for a wait it is the
      // normal end of a long poll, not an outage.
      record(isCallTimeout(failure) ? 'Timeout' : failure.kind);
      throw failure;
    }
    record(extra.outcome?.(result)?.kind ?? 'ok');
    return result;
  }
}

/**
 * The operation a write answered. The generated typings call it a google.longrunning Operation;
 * on the REST transport it is the compute#operation GCE sent.
 */
function startedOperation(answer: { latestResponse: unknown }): Operation {
  const operation = answer.latestResponse;
  if (typeof operation !== 'object' || operation === null || !('name' in operation)) {
    throw new FirewallError('Unknown', 'GCE answered a write without an operation');
  }
  return operation as Operation;
}

/** Escapes RE2 metacharacters: the list filter's `eq` takes a regular expression. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}"]/g, '\\$&');
}
