import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  gcloudCreateCommand,
  gcloudDeleteCommand,
  gcloudUpdateCommand,
} from '../../src/domain/gcloud-command.ts';
import { widerFirewallRuleSpec } from '../builders/firewall-rule.ts';

const rule = widerFirewallRuleSpec;

/** The argument vector a POSIX shell hands to `gcloud` for `command`. */
function shellWords(command: string): string[] {
  assert.ok(command.startsWith('gcloud '), command);
  const script = `gcloud() { for word in "$@"; do printf '%s\\0' "$word"; done; }; ${command}`;
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('gcloudCreateCommand', () => {
  test('is exactly the command for the rule', () => {
    const r = rule();
    assert.deepEqual(shellWords(gcloudCreateCommand(r, 'host-project')), [
      'compute',
      'firewall-rules',
      'create',
      'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w',
      '--project=host-project',
      '--network=shared-vpc',
      '--direction=INGRESS',
      '--priority=900',
      '--allow=tcp:30920,tcp:30921,udp:30053',
      '--source-ranges=10.0.0.0/8,203.0.113.0/24',
      '--target-tags=gke-dev-pool-node,gke-dev-other',
      `--description=${r.description}`,
    ]);
  });

  test('targets service accounts when the rule has no tags', () => {
    const words = shellWords(
      gcloudCreateCommand(
        rule({ targetTags: [], targetServiceAccounts: ['nodes@host-project.iam.gserviceaccount.com'] }),
        'host-project',
      ),
    );
    assert.ok(
      words.includes('--target-service-accounts=nodes@host-project.iam.gserviceaccount.com'),
      words.join(' '),
    );
    assert.equal(
      words.some((word) => word.startsWith('--target-tags')),
      false,
    );
  });

  test('uses the given project', () => {
    assert.ok(shellWords(gcloudCreateCommand(rule(), 'other-project')).includes('--project=other-project'));
  });

  test('takes the network name from a relative path or a plain name', () => {
    assert.ok(
      shellWords(gcloudCreateCommand(rule({ network: 'default' }), 'p')).includes('--network=default'),
    );
  });

  const descriptions: { name: string; description: string }[] = [
    { name: 'JSON with double quotes', description: '{"a":"b c"}' },
    { name: 'a single quote', description: "it's mine" },
    { name: 'several single quotes', description: "''x'" },
    { name: 'shell syntax', description: '$(echo injected) `echo injected` ; echo injected && echo $HOME' },
    { name: 'a backslash and a newline', description: 'a\\b\nc' },
    { name: 'an empty description', description: '' },
  ];
  for (const c of descriptions) {
    test(`the description reaches gcloud intact: ${c.name}`, () => {
      const command = gcloudCreateCommand(rule({ description: c.description }), 'p');
      const words = shellWords(command);
      assert.equal(words.at(-1), `--description=${c.description}`);
      assert.equal(words.length, 12);
      assert.ok(command.endsWith("'"), 'the description is single-quoted');
    });
  }
});

describe('gcloudUpdateCommand', () => {
  test('names the rule and project, and sets the allow list, ranges and priority', () => {
    const words = shellWords(gcloudUpdateCommand(rule(), 'host-project'));
    assert.deepEqual(words.slice(0, 4), [
      'compute',
      'firewall-rules',
      'update',
      'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w',
    ]);
    for (const expected of [
      '--project=host-project',
      '--allow=tcp:30920,tcp:30921,udp:30053',
      '--source-ranges=10.0.0.0/8,203.0.113.0/24',
      '--priority=900',
      '--no-disabled',
    ]) {
      assert.ok(words.includes(expected), `${expected} in ${words.join(' ')}`);
    }
    assert.ok(
      words.some((word) => word.startsWith('--target-')),
      'restores the targets too',
    );
    assert.ok(
      words.some((word) => word.startsWith('--description=')),
      'restores the ownership description too',
    );
  });
});

describe('a rule without targets', () => {
  test('is never printed as a command (it would open the ports on every VM)', () => {
    const untargeted = { ...rule(), targetTags: [], targetServiceAccounts: [] };
    assert.throws(() => gcloudCreateCommand(untargeted, 'host-project'), /no targets/);
    assert.throws(() => gcloudUpdateCommand(untargeted, 'host-project'), /no targets/);
  });
});

describe('gcloudDeleteCommand', () => {
  test('names the rule and project', () => {
    assert.equal(
      gcloudDeleteCommand('exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w', 'host-project'),
      'gcloud compute firewall-rules delete exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w --project=host-project',
    );
  });
});
