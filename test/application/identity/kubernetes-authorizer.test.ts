// Kubernetes authorization: one SubjectAccessReview per distinct question, on exposures.exposure-api.io
// with the caller's user and groups; allowed and denied decisions cached with their own TTLs;
// identical questions in flight share one review; a failed review is an unavailable problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubernetesAuthorizer } from '../../../src/application/identity/kubernetes-authorizer.ts';
import { UpstreamGate } from '../../../src/application/identity/upstream-gate.ts';
import type {
  AccessReviewSubject,
  AccessReviews,
  ResourceAttributes,
} from '../../../src/application/ports/access-reviews.ts';
import type { Principal } from '../../../src/application/principal.ts';
import { ExposureProblem } from '../../../src/application/problems.ts';

class ScriptedReviews implements AccessReviews {
  readonly asked: { subject: AccessReviewSubject; attributes: ResourceAttributes }[] = [];
  allow = new Set<string>();
  fail = false;
  async reviewToken(): Promise<never> {
    throw new Error('not used');
  }
  async reviewAccess(subject: AccessReviewSubject, attributes: ResourceAttributes): Promise<boolean> {
    this.asked.push({ subject, attributes });
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.fail) throw new Error('apiserver down');
    return this.allow.has(`${attributes.verb}/${attributes.namespace ?? attributes.name}`);
  }
}

const bot: Principal = {
  subject: 'system:serviceaccount:search:bot',
  username: 'system:serviceaccount:search:bot',
  groups: ['system:serviceaccounts'],
  namespaces: [],
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function authorizer(reviews: ScriptedReviews, ttl = { allowedTtlMs: 1_000, deniedTtlMs: 50 }) {
  return new KubernetesAuthorizer(
    reviews,
    { ...ttl, cacheEntries: 100 },
    new UpstreamGate({ concurrency: 2, maxQueued: 10 }),
  );
}

test('asks a SubjectAccessReview on exposures.exposure-api.io with the user, groups, verb and namespace', async () => {
  const reviews = new ScriptedReviews();
  reviews.allow.add('get/search');
  assert.equal(await authorizer(reviews).allowed(bot, 'get', 'search'), true);
  assert.deepEqual(reviews.asked, [
    {
      subject: { user: 'system:serviceaccount:search:bot', groups: ['system:serviceaccounts'] },
      attributes: { verb: 'get', namespace: 'search', group: 'exposure-api.io', resource: 'exposures' },
    },
  ]);
});

test('decisions are cached: allowed for its TTL, denied for its own (shorter) TTL, synchronously', async () => {
  const reviews = new ScriptedReviews();
  reviews.allow.add('get/search');
  const decide = authorizer(reviews);
  await decide.allowed(bot, 'get', 'search');
  await decide.allowed(bot, 'delete', 'search');
  assert.equal(decide.allowed(bot, 'get', 'search'), true, 'cached, no promise');
  assert.equal(decide.allowed(bot, 'delete', 'search'), false, 'cached, no promise');
  assert.equal(reviews.asked.length, 2);
  await sleep(100); // past the denied TTL, within the allowed one
  assert.equal(decide.allowed(bot, 'get', 'search'), true);
  assert.equal(await decide.allowed(bot, 'delete', 'search'), false);
  assert.equal(reviews.asked.length, 3);
  reviews.allow.delete('get/search');
  await sleep(1_000); // past the allowed TTL: a revoked grant is seen
  assert.equal(await decide.allowed(bot, 'get', 'search'), false);
});

test('identical questions in flight share one review', async () => {
  const reviews = new ScriptedReviews();
  reviews.allow.add('list/search');
  const decide = authorizer(reviews);
  const answers = await Promise.all(Array.from({ length: 20 }, () => decide.allowed(bot, 'list', 'search')));
  assert.ok(answers.every(Boolean));
  assert.equal(reviews.asked.length, 1);
});

test("impersonation is the apiserver's check: verb impersonate on users or groups, by name", async () => {
  const reviews = new ScriptedReviews();
  reviews.allow.add('impersonate/alice');
  const decide = authorizer(reviews);
  assert.equal(await decide.mayImpersonate(bot, { kind: 'users', name: 'alice' }), true);
  assert.equal(await decide.mayImpersonate(bot, { kind: 'users', name: 'bob' }), false);
  assert.deepEqual(reviews.asked[0]?.attributes, {
    verb: 'impersonate',
    group: '',
    resource: 'users',
    name: 'alice',
  });
});

test('a failed review is a kubernetes-unavailable problem, and is not cached', async () => {
  const reviews = new ScriptedReviews();
  reviews.fail = true;
  const decide = authorizer(reviews);
  await assert.rejects(
    async () => decide.allowed(bot, 'get', 'search'),
    (error) => error instanceof ExposureProblem && error.kind === 'kubernetes-unavailable',
  );
  reviews.fail = false;
  reviews.allow.add('get/search');
  assert.equal(await decide.allowed(bot, 'get', 'search'), true);
});

test('decidedNow answers only what is cached, and never asks', async () => {
  const reviews = new ScriptedReviews();
  reviews.allow.add('get/search');
  const decisions = authorizer(reviews);
  assert.equal(decisions.decidedNow(bot, 'get', 'search'), undefined, 'nothing known yet');
  assert.equal(reviews.asked.length, 0, 'no review started by decidedNow');
  assert.equal(await decisions.allowed(bot, 'get', 'search'), true);
  assert.equal(await decisions.allowed(bot, 'get', 'payments'), false);
  assert.equal(decisions.decidedNow(bot, 'get', 'search'), true);
  assert.equal(decisions.decidedNow(bot, 'get', 'payments'), false);
  assert.equal(decisions.decidedNow(bot, 'delete', 'search'), undefined, 'another verb is another question');
  assert.equal(reviews.asked.length, 2);
});
