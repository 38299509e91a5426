// A storm of creates and deletes while the service is killed at random points and restarted,
// then a check that the world converged: no orphan rule, no exposure without its rule, no lost
// exposure. Shared by the real-apiserver variant (kill -9 of a server process) and the sandbox
// variant (an in-process runtime whose every effect stops at the kill).
import assert from 'node:assert/strict';
import type { ObservedService } from '../../src/domain/cluster-objects.ts';
import { readExposureRecord } from '../../src/domain/exposure-record.ts';
import { parseOwnership } from '../../src/domain/firewall-ownership.ts';

export interface StormAnswer {
  status: number;
  body: unknown;
}

export interface StormTarget {
  /** Starts a new instance of the service (after a kill, or at first). */
  start(): Promise<void>;
  /** Kills the running instance without any cleanup, as SIGKILL would. */
  kill(): Promise<void>;
  /** An API call to the running instance; 'no-answer' when it died before answering. */
  request(
    method: 'POST' | 'DELETE' | 'GET',
    path: string,
    body?: unknown,
  ): Promise<StormAnswer | 'no-answer'>;
  /** Ground truth: the managed Services in the cluster. */
  services(): Promise<StormService[]>;
  /** Ground truth: the firewall rules in GCE. */
  rules(): Promise<{ name: string; description: string }[]>;
  clusterId: string;
}

/** A managed Service as the storm's check sees it. */
export interface StormService {
  id: string;
  terminating: boolean;
  /** The reconciler recorded its rules UpToDate for its current spec. */
  firewallUpToDate: boolean;
}

/** What the check needs of a Service read from the cluster; none when its record is unreadable. */
export function stormServiceOf(service: ObservedService): StormService[] {
  const read = readExposureRecord(service);
  if (!read.ok) return [];
  const status = read.record.firewallStatus;
  return [
    {
      id: read.record.id,
      terminating: service.deletionTimestamp !== undefined,
      firewallUpToDate: status?.state === 'UpToDate' && status.specHash === read.record.specHash,
    },
  ];
}

/** The storm did what it should (enough kills and operations) and the world converged. */
export function assertConverged(report: StormReport): void {
  assert.ok(report.kills >= 4, `only ${report.kills} kills`);
  assert.ok(report.creates + report.deletes >= 200);
  assert.equal(report.orphanRules, 0);
  assert.equal(report.exposuresWithoutRule, 0);
  assert.equal(report.lostExposures, 0);
}

export interface StormReport {
  operations: number;
  creates: number;
  deletes: number;
  kills: number;
  unanswered: number;
  convergeSeconds: number;
  orphanRules: number;
  exposuresWithoutRule: number;
  lostExposures: number;
}

export async function runCrashStorm(
  target: StormTarget,
  options: { operations: number; seed?: number },
): Promise<StormReport> {
  let seed = options.seed ?? 1;
  const random = () => {
    // mulberry32: a reproducible storm for a given seed
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const report: StormReport = {
    operations: 0,
    creates: 0,
    deletes: 0,
    kills: 0,
    unanswered: 0,
    convergeSeconds: 0,
    orphanRules: 0,
    exposuresWithoutRule: 0,
    lostExposures: 0,
  };
  const created = new Set<string>();
  const deleteRequested = new Set<string>();
  let nextKillAt = 15 + Math.floor(random() * 25);
  await target.start();
  let serial = 0;
  while (report.operations < options.operations) {
    // A few requests at once, as several clients would send them.
    const batch = Array.from({ length: 4 }, async () => {
      const live = [...created].filter((id) => !deleteRequested.has(id));
      if (live.length > 0 && random() < 0.35) {
        const id = live[Math.floor(random() * live.length)] as string;
        deleteRequested.add(id);
        report.deletes++;
        const answer = await target.request('DELETE', `/exposures/${id}`);
        if (answer === 'no-answer') report.unanswered++;
        return;
      }
      report.creates++;
      const name = `storm-${serial++}`;
      const answer = await target.request('POST', '/exposures', {
        namespace: 'default',
        name,
        selector: { app: name },
        ports: [{ name: 'http', port: 80 }],
        sourceRanges: ['203.0.113.0/24'],
      });
      if (answer === 'no-answer') report.unanswered++;
      else if (answer.status === 201) created.add((answer.body as { id: string }).id);
    });
    if (report.operations >= nextKillAt) {
      // Kill while the batch is in flight.
      const delay = Math.floor(random() * 30);
      const kill = new Promise((resolve) => setTimeout(resolve, delay)).then(() => target.kill());
      await Promise.all([...batch, kill]);
      report.kills++;
      nextKillAt = report.operations + 15 + Math.floor(random() * 25);
      await target.start();
    } else {
      await Promise.all(batch);
    }
    report.operations += 4;
  }
  // Let it converge: every Service whole and up to date or gone, and GCE matching the cluster.
  const started = Date.now();
  const deadline = started + 120_000;
  for (;;) {
    const services = await target.services();
    const rules = await target.rules();
    const ruleOwners = new Set(
      rules.flatMap((rule) => {
        const owner = parseOwnership(rule.description);
        return owner && owner.clusterId === target.clusterId ? [owner.exposureId] : [];
      }),
    );
    const liveIds = new Set(services.map((s) => s.id));
    const converged =
      services.every((s) => !s.terminating && s.firewallUpToDate && ruleOwners.has(s.id)) &&
      [...ruleOwners].every((id) => liveIds.has(id));
    if (converged || Date.now() > deadline) {
      report.convergeSeconds = (Date.now() - started) / 1000;
      report.orphanRules = [...ruleOwners].filter((id) => !liveIds.has(id)).length;
      report.exposuresWithoutRule = services.filter(
        (s) => !ruleOwners.has(s.id) || !s.firewallUpToDate,
      ).length;
      // A 201 that was never deleted must still exist.
      report.lostExposures = [...created].filter((id) => !deleteRequested.has(id) && !liveIds.has(id)).length;
      const stuck = services.filter((s) => s.terminating).length;
      assert.equal(stuck, 0, `${stuck} exposures are stuck terminating`);
      return report;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
