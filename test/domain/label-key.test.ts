import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelKeyProblem } from '../../src/domain/label-key.ts';

describe('labelKeyProblem', () => {
  const valid: string[] = [
    'app',
    'a',
    'A',
    '9',
    'App_Name.v-1',
    'x'.repeat(63),
    'example.com/team',
    'app.kubernetes.io/name',
    'a/b',
    'my-org.example-1.com/Tier_2',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/name`,
  ];
  for (const key of valid) {
    test(`accepts '${key.length > 40 ? `${key.slice(0, 40)}…` : key}'`, () => {
      assert.equal(labelKeyProblem(key), undefined);
    });
  }

  const cases: { name: string; key: string; problem: RegExp }[] = [
    { name: 'an empty key', key: '', problem: /the name must be 1-63 characters/ },
    { name: 'a name of 64 characters', key: 'x'.repeat(64), problem: /the name must be 1-63 characters/ },
    { name: 'a name starting with a dash', key: '-app', problem: /starting and ending alphanumeric/ },
    { name: 'a name ending with a dot', key: 'app.', problem: /starting and ending alphanumeric/ },
    { name: 'a name ending with an underscore', key: 'app_', problem: /the name must be/ },
    { name: 'a space', key: 'my app', problem: /the name must be/ },
    { name: 'an equals sign', key: 'app=web', problem: /the name must be/ },
    { name: 'an empty name after a prefix', key: 'example.com/', problem: /the name must be/ },
    { name: 'an empty prefix', key: '/app', problem: /the prefix must be a DNS subdomain/ },
    { name: 'an upper-case prefix', key: 'Example.com/app', problem: /the prefix must be a DNS subdomain/ },
    {
      name: 'an underscore in the prefix',
      key: 'my_org.com/app',
      problem: /the prefix must be a DNS subdomain/,
    },
    { name: 'a prefix ending with a dot', key: 'example.com./app', problem: /the prefix must be/ },
    { name: 'a prefix longer than 253', key: `${'a.'.repeat(127)}a/app`, problem: /at most 253 characters/ },
    { name: 'two slashes', key: 'example.com/team/app', problem: /the name must be/ },
  ];
  for (const c of cases) {
    test(`refuses ${c.name}`, () => {
      const problem = labelKeyProblem(c.key);
      assert.ok(problem !== undefined, `expected '${c.key}' to be refused`);
      assert.match(problem, c.problem);
      assert.ok(problem.includes(`'${c.key}'`), 'the problem quotes the key');
    });
  }
});
