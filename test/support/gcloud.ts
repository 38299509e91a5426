// The real gcloud CLI pointed at the Compute emulator, for changes made "by hand" out of band. Its
// configuration lives in a throw-away folder; it gets a dummy token and is kept away from the
// metadata server, usage reporting and update checks, so it never reaches beyond loopback.
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Gcloud {
  /** Runs `gcloud <args> --quiet`; a failing command resolves too, with its exit code and stderr. */
  run(...args: string[]): Promise<GcloudResult>;
  close(): Promise<void>;
}

/** Looks gcloud up on PATH without starting it (a start costs a second or more). */
export async function gcloudInstalled(): Promise<boolean> {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    try {
      await access(join(directory, 'gcloud'), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

/** gcloud for `project` against the emulator whose Compute endpoint is `computeEndpoint`. */
export async function gcloudFor(computeEndpoint: string, project: string): Promise<Gcloud> {
  const configDir = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: configDir,
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: computeEndpoint,
    CLOUDSDK_AUTH_ACCESS_TOKEN: 'emulator',
    CLOUDSDK_CORE_PROJECT: project,
  };
  return {
    async run(...args) {
      try {
        const { stdout, stderr } = await run('gcloud', [...args, '--quiet'], { env, timeout: 120_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    },
    close: () => rm(configDir, { recursive: true, force: true }),
  };
}
