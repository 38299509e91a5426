// Listing firewall rules: the compute#firewallList envelope, pages of at most `maxResults` (500
// by default and at most) chained by `nextPageToken`, and the `filter` forms clients send.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody } from './wire.ts';

interface FirewallList {
  kind: string;
  id: string;
  selfLink: string;
  items?: { name: string }[];
  nextPageToken?: string;
}

describe('compute emulator list', () => {
  let emulator: ComputeEmulator;
  let api: ReturnType<typeof computeWire>;
  const names = ['exp-a-1', 'exp-a-2', 'exp-a-3', 'exp-b-1', 'exp-b-2', 'other-1', 'other-2'];

  before(async () => {
    emulator = await startComputeEmulator();
    api = computeWire(emulator.url, 'p');
    // Inserted out of order: listing is in name order regardless.
    for (const name of [...names].reverse()) await api.insert(ruleBody(name));
  });
  after(() => emulator.close());

  async function listAll(query: string): Promise<{ pages: string[][]; tokens: (string | undefined)[] }> {
    const pages: string[][] = [];
    const tokens: (string | undefined)[] = [];
    let token: string | undefined;
    do {
      const response = await api.list(`${query}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      assert.equal(response.status, 200);
      const list = response.json as FirewallList;
      pages.push((list.items ?? []).map((item) => item.name));
      token = list.nextPageToken;
      tokens.push(token);
    } while (token);
    return { pages, tokens };
  }

  test('the list envelope carries kind, id and selfLink, and all rules in name order', async () => {
    const list = (await api.list('&maxResults=500')).json as FirewallList;
    assert.equal(list.kind, 'compute#firewallList');
    assert.equal(list.id, 'projects/p/global/firewalls');
    assert.equal(list.selfLink, 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls');
    assert.deepEqual(
      list.items?.map((item) => item.name),
      names,
    );
    assert.equal(list.nextPageToken, undefined);
  });

  test('pages of maxResults are chained by nextPageToken, which the last page leaves out', async () => {
    const { pages, tokens } = await listAll('&maxResults=3');
    assert.deepEqual(pages, [names.slice(0, 3), names.slice(3, 6), names.slice(6)]);
    assert.equal(tokens.at(-1), undefined);
    assert.ok(tokens.slice(0, -1).every((token) => typeof token === 'string' && token.length > 0));
  });

  test('an empty project lists no items field at all', async () => {
    const list = (await computeWire(emulator.url, 'empty').list()).json as FirewallList;
    assert.equal(list.items, undefined);
  });

  test('filter `name eq "regex"` matches the whole name and pages over the matches', async () => {
    const { pages } = await listAll(`&maxResults=2&filter=${encodeURIComponent('name eq "exp-a-.*"')}`);
    assert.deepEqual(pages, [['exp-a-1', 'exp-a-2'], ['exp-a-3']]);
    const partial = (await api.list(`&filter=${encodeURIComponent('name eq "exp"')}`)).json as FirewallList;
    assert.equal(partial.items, undefined, 'eq is a full match, not a substring match');
  });

  test('filter `name ne "regex"` excludes the matches', async () => {
    const list = (await api.list(`&filter=${encodeURIComponent('name ne "exp-.*"')}`)).json as FirewallList;
    assert.deepEqual(
      list.items?.map((item) => item.name),
      ['other-1', 'other-2'],
    );
  });

  test('filter `name = "literal"` and `!=` compare literally', async () => {
    const equal = (await api.list(`&filter=${encodeURIComponent('name = "exp-b-2"')}`)).json as FirewallList;
    assert.deepEqual(
      equal.items?.map((item) => item.name),
      ['exp-b-2'],
    );
    const regexLike = (await api.list(`&filter=${encodeURIComponent('name = "exp-b-.*"')}`))
      .json as FirewallList;
    assert.equal(regexLike.items, undefined);
    const notEqual = (await api.list(`&filter=${encodeURIComponent('name != "exp-b-2"')}`))
      .json as FirewallList;
    assert.equal(notEqual.items?.length, names.length - 1);
  });

  test('several parenthesised comparisons must all hold', async () => {
    const filter = '(name eq "exp-.*") (name ne ".*-1")';
    const list = (await api.list(`&filter=${encodeURIComponent(filter)}`)).json as FirewallList;
    assert.deepEqual(
      list.items?.map((item) => item.name),
      ['exp-a-2', 'exp-a-3', 'exp-b-2'],
    );
  });

  test('malformed filters, page sizes over 500 and foreign page tokens are 400s', async () => {
    for (const query of [
      `&filter=${encodeURIComponent('name eq')}`,
      `&filter=${encodeURIComponent('name ~ "x"')}`,
      `&filter=${encodeURIComponent('colour eq "red"')}`,
      `&filter=${encodeURIComponent('name eq "("')}`,
      '&maxResults=501',
      '&maxResults=-1',
      '&pageToken=not-a-token',
    ]) {
      const response = await api.list(query);
      assert.equal(response.status, 400, query);
      assert.partialDeepStrictEqual(response.json, { error: { code: 400, errors: [{ reason: 'invalid' }] } });
    }
  });
});
