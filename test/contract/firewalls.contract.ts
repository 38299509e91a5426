// The contract of the Firewalls port: what the application may rely on, whatever implements it.
// Run it with `firewallsContract(name, makeFirewalls)`; `makeFirewalls` hands out a fresh
// implementation for each test, on an empty project, with the levers the contract needs to make
// the upstream misbehave (quota, permissions, transient failures).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FirewallError,
  type FirewallErrorKind,
  type FirewallRuleSpec,
  type Firewalls,
} from '../../src/application/ports/firewalls.ts';
import type { UpstreamCall } from '../../src/application/ports/telemetry.ts';

export interface FirewallsUnderTest {
  firewalls: Firewalls;
  /** The upstream calls the implementation recorded so far. */
  calls(): readonly UpstreamCall[];
  /** Sets how many rules the project may hold. */
  setQuota(limit: number): void;
  /** Takes the caller's permissions on the project away (true) or gives them back (false). */
  denyAccess(denied: boolean): void;
  /** Makes every upstream request fail with this HTTP status, until called with undefined. */
  failRequestsWith(status: number | undefined): void;
  close(): Promise<void>;
}

export function ruleSpec(
  project: string,
  name: string,
  changes: Partial<FirewallRuleSpec> = {},
): FirewallRuleSpec {
  return {
    name,
    description: JSON.stringify({
      exposure: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w',
      cluster: 'c1',
      service: 'search/es',
    }),
    network: `projects/${project}/global/networks/default`,
    priority: 1000,
    direction: 'INGRESS',
    sourceRanges: ['203.0.113.0/24'],
    allowed: [{ protocol: 'tcp', ports: ['30920'] }],
    targetTags: ['gke-node'],
    targetServiceAccounts: [],
    disabled: false,
    ...changes,
  };
}

async function rejectsWith(promise: Promise<unknown>, kind: FirewallErrorKind): Promise<FirewallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FirewallError, `expected a FirewallError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a FirewallError of kind ${kind}`);
}

export function firewallsContract(name: string, makeFirewalls: () => Promise<FirewallsUnderTest>): void {
  describe(`Firewalls contract: ${name}`, () => {
    function withFirewalls(body: (subject: FirewallsUnderTest, project: string) => Promise<void>) {
      return async () => {
        const subject = await makeFirewalls();
        try {
          await body(subject, subject.firewalls.project);
        } finally {
          await subject.close();
        }
      };
    }

    test(
      'insert, then get answers the rule as written plus the server-assigned fields',
      withFirewalls(async ({ firewalls }, project) => {
        const spec = ruleSpec(project, 'exp-c1-insert');
        await firewalls.insert(spec);
        const observed = await firewalls.get(spec.name);
        assert.ok(observed);
        const {
          id,
          selfLink,
          creationTimestamp,
          sourceTags,
          sourceServiceAccounts,
          destinationRanges,
          denied,
          ...written
        } = observed;
        assert.deepEqual(written, spec);
        assert.deepEqual([sourceTags, sourceServiceAccounts, destinationRanges, denied], [[], [], [], []]);
        assert.match(id, /^\d+$/);
        assert.ok(selfLink.endsWith(`/projects/${project}/global/firewalls/${spec.name}`), selfLink);
        assert.ok(!Number.isNaN(Date.parse(creationTimestamp)), creationTimestamp);
      }),
    );

    test(
      'get of a rule that does not exist is undefined',
      withFirewalls(async ({ firewalls }) => {
        assert.equal(await firewalls.get('exp-c1-nothing'), undefined);
      }),
    );

    test(
      'insert of a name that exists fails with AlreadyExists, which is not worth retrying',
      withFirewalls(async ({ firewalls }, project) => {
        await firewalls.insert(ruleSpec(project, 'exp-c1-twice'));
        const error = await rejectsWith(firewalls.insert(ruleSpec(project, 'exp-c1-twice')), 'AlreadyExists');
        assert.equal(error.retryable, false);
      }),
    );

    test(
      'listPage pages through the rules and narrows them to a name prefix',
      withFirewalls(async ({ firewalls }, project) => {
        const ours = ['exp-c1-a', 'exp-c1-b', 'exp-c1-c', 'exp-c1-d', 'exp-c1-e'];
        const foreign = ['default-allow-ssh', 'exp-c2-a'];
        for (const rule of [...ours, ...foreign]) await firewalls.insert(ruleSpec(project, rule));

        const pages: string[][] = [];
        let pageToken: string | undefined;
        do {
          const page = await firewalls.listPage({
            namePrefix: 'exp-c1-',
            maxResults: 2,
            ...(pageToken ? { pageToken } : {}),
          });
          pages.push(page.rules.map((rule) => rule.name));
          pageToken = page.nextPageToken;
        } while (pageToken);
        assert.ok(
          pages.every((page) => page.length <= 2),
          JSON.stringify(pages),
        );
        assert.deepEqual(pages.flat().sort(), ours);
        assert.equal(pages.length, 3);

        const everything = await firewalls.listPage();
        assert.deepEqual(everything.rules.map((rule) => rule.name).sort(), [...ours, ...foreign].sort());
        assert.equal(everything.nextPageToken, undefined);
        const listed = everything.rules.find((rule) => rule.name === 'exp-c1-a');
        const {
          id: _id,
          selfLink: _selfLink,
          creationTimestamp: _created,
          // Matched by hand only: exposure-api never sets them, and GCE leaves them empty.
          sourceTags: _sourceTags,
          sourceServiceAccounts: _sourceServiceAccounts,
          destinationRanges: _destinationRanges,
          denied: _denied,
          ...written
        } = listed ?? assert.fail();
        assert.deepEqual(written, ruleSpec(project, 'exp-c1-a'), 'listed rules are normalised like get');
      }),
    );

    test(
      'patch changes the given fields in place and leaves the others',
      withFirewalls(async ({ firewalls }, project) => {
        const spec = ruleSpec(project, 'exp-c1-patch');
        await firewalls.insert(spec);
        const before = await firewalls.get(spec.name);
        await firewalls.patch(spec.name, {
          sourceRanges: ['198.51.100.0/24', '192.0.2.0/24'],
          allowed: [{ protocol: 'udp', ports: ['30053', '31000-31010'] }],
          description: '{"exposure":"moved"}',
          disabled: true,
        });
        const after = await firewalls.get(spec.name);
        assert.deepEqual(after, {
          ...before,
          sourceRanges: ['198.51.100.0/24', '192.0.2.0/24'],
          allowed: [{ protocol: 'udp', ports: ['30053', '31000-31010'] }],
          description: '{"exposure":"moved"}',
          disabled: true,
        });
      }),
    );

    test(
      'patch cannot empty a list: it fails with Invalid and changes nothing',
      withFirewalls(async ({ firewalls }, project) => {
        const spec = ruleSpec(project, 'exp-c1-empty');
        await firewalls.insert(spec);
        await rejectsWith(
          firewalls.patch(spec.name, {
            targetTags: [],
            targetServiceAccounts: ['sa@p.iam.gserviceaccount.com'],
          }),
          'Invalid',
        );
        assert.deepEqual((await firewalls.get(spec.name))?.targetTags, ['gke-node']);
      }),
    );

    test(
      'update replaces the whole rule, which switches target tags to service accounts',
      withFirewalls(async ({ firewalls }, project) => {
        const spec = ruleSpec(project, 'exp-c1-update');
        await firewalls.insert(spec);
        const replacement = ruleSpec(project, spec.name, {
          targetTags: [],
          targetServiceAccounts: ['nodes@p.iam.gserviceaccount.com'],
          priority: 900,
        });
        await firewalls.update(replacement);
        const {
          id: _id,
          selfLink: _selfLink,
          creationTimestamp: _created,
          // Matched by hand only: exposure-api never sets them, and GCE leaves them empty.
          sourceTags: _sourceTags,
          sourceServiceAccounts: _sourceServiceAccounts,
          destinationRanges: _destinationRanges,
          denied: _denied,
          ...written
        } = (await firewalls.get(spec.name)) ?? assert.fail('rule gone');
        assert.deepEqual(written, replacement);
      }),
    );

    test(
      'patch and update of a rule that does not exist fail with NotFound',
      withFirewalls(async ({ firewalls }, project) => {
        await rejectsWith(firewalls.patch('exp-c1-ghost', { disabled: true }), 'NotFound');
        await rejectsWith(firewalls.update(ruleSpec(project, 'exp-c1-ghost')), 'NotFound');
      }),
    );

    test(
      'delete removes the rule; deleting what is gone answers absent',
      withFirewalls(async ({ firewalls }, project) => {
        await firewalls.insert(ruleSpec(project, 'exp-c1-delete'));
        assert.equal(await firewalls.delete('exp-c1-delete'), 'deleted');
        assert.equal(await firewalls.get('exp-c1-delete'), undefined);
        assert.equal(await firewalls.delete('exp-c1-delete'), 'absent');
      }),
    );

    test(
      'an insert over the quota fails with QuotaExceeded and leaves no rule behind',
      withFirewalls(async (subject, project) => {
        subject.setQuota(1);
        await subject.firewalls.insert(ruleSpec(project, 'exp-c1-first'));
        const error = await rejectsWith(
          subject.firewalls.insert(ruleSpec(project, 'exp-c1-second')),
          'QuotaExceeded',
        );
        assert.equal(error.retryable, false);
        assert.match(error.message, /Quota 'FIREWALLS' exceeded/);
        assert.equal(await subject.firewalls.get('exp-c1-second'), undefined);
      }),
    );

    test(
      'without permission on the project, reads and writes fail with PermissionDenied',
      withFirewalls(async (subject, project) => {
        await subject.firewalls.insert(ruleSpec(project, 'exp-c1-guarded'));
        subject.denyAccess(true);
        const error = await rejectsWith(subject.firewalls.get('exp-c1-guarded'), 'PermissionDenied');
        assert.equal(error.retryable, false);
        assert.equal(error.httpStatus, 403);
        await rejectsWith(subject.firewalls.listPage(), 'PermissionDenied');
        await rejectsWith(subject.firewalls.insert(ruleSpec(project, 'exp-c1-other')), 'PermissionDenied');
        await rejectsWith(subject.firewalls.delete('exp-c1-guarded'), 'PermissionDenied');
        subject.denyAccess(false);
        assert.ok(await subject.firewalls.get('exp-c1-guarded'));
      }),
    );

    test(
      'transient upstream failures are classified as retryable Unavailable or RateLimited',
      withFirewalls(async (subject, project) => {
        for (const [status, kind] of [
          [503, 'Unavailable'],
          [500, 'Unavailable'],
          [502, 'Unavailable'],
          [429, 'RateLimited'],
        ] as const) {
          subject.failRequestsWith(status);
          const read = await rejectsWith(subject.firewalls.get('exp-c1-any'), kind);
          const write = await rejectsWith(subject.firewalls.insert(ruleSpec(project, 'exp-c1-any')), kind);
          subject.failRequestsWith(undefined);
          for (const error of [read, write]) {
            assert.equal(error.retryable, true, `${status} should be retryable`);
            assert.equal(error.httpStatus, status);
          }
        }
        assert.equal(await subject.firewalls.get('exp-c1-any'), undefined, 'no failed write took effect');
      }),
    );

    test(
      'every upstream call is recorded with its operation, outcome and duration',
      withFirewalls(async (subject, project) => {
        await subject.firewalls.insert(ruleSpec(project, 'exp-c1-recorded'));
        await subject.firewalls.get('exp-c1-absent');
        subject.failRequestsWith(503);
        await rejectsWith(subject.firewalls.listPage(), 'Unavailable');
        subject.failRequestsWith(undefined);

        const calls = subject.calls();
        for (const call of calls) {
          assert.equal(call.system, 'gce');
          assert.ok(call.seconds >= 0 && call.seconds < 60, `${call.seconds} s`);
        }
        const portCalls = calls.filter((call) => call.operation.startsWith('firewalls.'));
        assert.equal(portCalls.length, 3, JSON.stringify(portCalls));
        assert.partialDeepStrictEqual(portCalls, [
          { operation: 'firewalls.insert', outcome: 'ok' },
          { operation: 'firewalls.get', outcome: 'NotFound' },
          { operation: 'firewalls.list', outcome: 'Unavailable' },
        ]);
      }),
    );
  });
}
