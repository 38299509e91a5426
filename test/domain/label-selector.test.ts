import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  matchesSelector,
  parseLabelSelector,
  type Requirement,
  selectorText,
} from '../../src/domain/label-selector.ts';

describe('parseLabelSelector parses', () => {
  const cases: { text: string; requirements: Requirement[] }[] = [
    { text: '', requirements: [] },
    { text: '   ', requirements: [] },
    { text: 'app=web', requirements: [{ key: 'app', op: 'in', values: ['web'] }] },
    { text: 'app==web', requirements: [{ key: 'app', op: 'in', values: ['web'] }] },
    { text: 'app = web', requirements: [{ key: 'app', op: 'in', values: ['web'] }] },
    { text: 'app!=web', requirements: [{ key: 'app', op: 'notin', values: ['web'] }] },
    { text: 'app=', requirements: [{ key: 'app', op: 'in', values: [''] }] },
    { text: 'env in (a,b)', requirements: [{ key: 'env', op: 'in', values: ['a', 'b'] }] },
    { text: 'env in ( a , b )', requirements: [{ key: 'env', op: 'in', values: ['a', 'b'] }] },
    { text: 'env in(a)', requirements: [{ key: 'env', op: 'in', values: ['a'] }] },
    { text: 'env notin (a,b)', requirements: [{ key: 'env', op: 'notin', values: ['a', 'b'] }] },
    { text: 'legacy', requirements: [{ key: 'legacy', op: 'exists' }] },
    { text: '!legacy', requirements: [{ key: 'legacy', op: 'doesnotexist' }] },
    { text: '! legacy', requirements: [{ key: 'legacy', op: 'doesnotexist' }] },
    {
      text: 'app.kubernetes.io/name=web',
      requirements: [{ key: 'app.kubernetes.io/name', op: 'in', values: ['web'] }],
    },
    {
      text: 'app=web,tier!=db,env in (a,b),!legacy,team',
      requirements: [
        { key: 'app', op: 'in', values: ['web'] },
        { key: 'tier', op: 'notin', values: ['db'] },
        { key: 'env', op: 'in', values: ['a', 'b'] },
        { key: 'legacy', op: 'doesnotexist' },
        { key: 'team', op: 'exists' },
      ],
    },
    {
      text: ' app = web , env notin (x,y) ',
      requirements: [
        { key: 'app', op: 'in', values: ['web'] },
        { key: 'env', op: 'notin', values: ['x', 'y'] },
      ],
    },
  ];
  for (const c of cases) {
    test(`'${c.text}'`, () => {
      const parsed = parseLabelSelector(c.text);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.detail);
      assert.deepEqual(parsed.requirements, c.requirements);
    });
  }
});

describe('parseLabelSelector refuses', () => {
  const cases: { text: string; detail: RegExp }[] = [
    { text: 'app=web,,tier=db', detail: /empty requirement/ },
    { text: 'app=web,', detail: /empty requirement/ },
    { text: ',app=web', detail: /empty requirement/ },
    { text: '-app=web', detail: /'-app' is not a valid label key/ },
    { text: 'app=-web', detail: /'-web' is not a valid label value/ },
    { text: 'app=a=b', detail: /not a valid label value/ },
    { text: 'app=web tier', detail: /cannot parse 'app=web tier'/ },
    { text: 'Example.com/app=web', detail: /not a valid label key/ },
    { text: 'env in (a,-b)', detail: /invalid value in 'env in \(a,-b\)'/ },
    { text: 'en$v in (a)', detail: /'en\$v' is not a valid label key/ },
    { text: '!-legacy', detail: /'-legacy' is not a valid label key/ },
    { text: '!app=web', detail: /'app=web' is not a valid label key/ },
    { text: 'env in (a', detail: /cannot parse/ },
    { text: 'env in ((a))', detail: /cannot parse/ },
    { text: 'env on (a)', detail: /cannot parse/ },
    { text: 'app>1', detail: /cannot parse/ },
  ];
  for (const c of cases) {
    test(`'${c.text}'`, () => {
      const parsed = parseLabelSelector(c.text);
      assert.equal(parsed.ok, false, `expected '${c.text}' to be refused`);
      if (parsed.ok) return;
      assert.match(parsed.detail, c.detail);
    });
  }
});

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'frontend', env: 'prod', 'example.com/team': 'search' };
  const cases: { selector: string; labels: Record<string, string>; matches: boolean }[] = [
    { selector: '', labels, matches: true },
    { selector: '', labels: {}, matches: true },
    { selector: 'app=web', labels, matches: true },
    { selector: 'app==web', labels, matches: true },
    { selector: 'app=api', labels, matches: false },
    { selector: 'missing=web', labels, matches: false },
    { selector: 'app!=api', labels, matches: true },
    { selector: 'app!=web', labels, matches: false },
    { selector: 'missing!=web', labels, matches: true },
    { selector: 'env in (dev,prod)', labels, matches: true },
    { selector: 'env in (dev,test)', labels, matches: false },
    { selector: 'missing in (dev,prod)', labels, matches: false },
    { selector: 'env notin (dev,prod)', labels, matches: false },
    { selector: 'env notin (dev,test)', labels, matches: true },
    { selector: 'missing notin (dev)', labels, matches: true },
    { selector: 'tier', labels, matches: true },
    { selector: 'missing', labels, matches: false },
    { selector: '!missing', labels, matches: true },
    { selector: '!tier', labels, matches: false },
    { selector: 'example.com/team=search', labels, matches: true },
    { selector: 'team=search', labels, matches: false },
    { selector: 'app=web,tier=frontend,env in (prod),!legacy', labels, matches: true },
    { selector: 'app=web,tier=backend', labels, matches: false },
    { selector: 'app=', labels: { app: '' }, matches: true },
    { selector: 'app=', labels, matches: false },
  ];
  for (const c of cases) {
    test(`'${c.selector}' ${c.matches ? 'matches' : 'does not match'} ${JSON.stringify(c.labels)}`, () => {
      const parsed = parseLabelSelector(c.selector);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.detail);
      assert.equal(matchesSelector(c.labels, parsed.requirements), c.matches);
    });
  }
});

describe('selectorText', () => {
  test('reads like a kubectl selector', () => {
    assert.equal(selectorText({ app: 'elasticsearch', tier: 'data' }), 'app=elasticsearch,tier=data');
    assert.equal(selectorText({}), '');
  });
  test('parses back to the same requirements', () => {
    const selector = { app: 'elasticsearch', 'example.com/tier': 'data' };
    const parsed = parseLabelSelector(selectorText(selector));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.requirements, [
      { key: 'app', op: 'in', values: ['elasticsearch'] },
      { key: 'example.com/tier', op: 'in', values: ['data'] },
    ]);
    assert.equal(matchesSelector(selector, parsed.requirements), true);
  });
});
