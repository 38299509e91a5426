// Reads the configuration file (YAML or JSON), fills in defaults and refuses anything invalid at
// startup with a message that names the setting, so a bad install fails fast and clearly.
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { parseCidr } from '../domain/cidr.ts';
import { Config, TokenEntry } from './schema.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(parseYamlOrThrow(text, path), path);
}

/** Validates a configuration object, with defaults filled in. */
export function parseConfig(input: unknown, source = 'configuration'): Config {
  const withDefaults = Value.Default(Config, structuredClone(input ?? {}));
  if (!Value.Check(Config, withDefaults)) {
    const problems = Value.Errors(Config, withDefaults)
      .slice(0, 10)
      .map((error) => `  ${error.instancePath || '/'}: ${error.message}`);
    throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  const config = withDefaults as Config;
  const problems = crossFieldProblems(config);
  if (problems.length > 0)
    throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  if (config.auth.tokensFile)
    config.auth.tokens = [...config.auth.tokens, ...loadTokensFile(config.auth.tokensFile)];
  return config;
}

function crossFieldProblems(config: Config): string[] {
  const problems: string[] = [];
  const { targetTags, targetServiceAccounts } = config.firewall;
  if (targetTags.length === 0 && targetServiceAccounts.length === 0) {
    problems.push(
      '/firewall: set targetTags or targetServiceAccounts to the nodes of the cluster (a rule without targets would open the ports on every VM of the network)',
    );
  }
  if (targetTags.length > 0 && targetServiceAccounts.length > 0) {
    problems.push(
      '/firewall: set only one of targetTags and targetServiceAccounts (GCE cannot combine them)',
    );
  }
  if (config.leaderElection.renewDeadlineSeconds >= config.leaderElection.leaseDurationSeconds) {
    problems.push('/leaderElection: renewDeadlineSeconds must be shorter than leaseDurationSeconds');
  }
  if (config.server.headersTimeoutMs > config.server.requestTimeoutMs) {
    problems.push('/server: headersTimeoutMs must not be longer than requestTimeoutMs');
  }
  if (config.server.keepAliveTimeoutMs >= config.server.connectionTimeoutMs) {
    problems.push(
      '/server: keepAliveTimeoutMs must be shorter than connectionTimeoutMs (an idle connection is closed at the latter)',
    );
  }
  if (config.cluster.nodePortRange.min > config.cluster.nodePortRange.max) {
    problems.push('/cluster/nodePortRange: min is above max');
  }
  config.sourceRanges.allowed.forEach((range, index) => {
    const parsed = parseCidr(range);
    if (!parsed.ok) problems.push(`/sourceRanges/allowed/${index}: ${parsed.detail}`);
  });
  return problems;
}

function loadTokensFile(path: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the tokens file ${path}: ${(error as Error).message}`);
  }
  const parsed = parseYamlOrThrow(text, path);
  const list = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new ConfigError(`${path} must hold a list of tokens (or {tokens: [...]})`);
  return list.map((entry, index) => {
    if (!Value.Check(TokenEntry, entry)) {
      const first = Value.Errors(TokenEntry, entry)[0];
      throw new ConfigError(
        `${path}: token ${index}${first?.instancePath ?? ''}: ${first?.message ?? 'invalid'}`,
      );
    }
    return entry;
  });
}

function parseYamlOrThrow(text: string, path: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML or JSON: ${(error as Error).message}`);
  }
}
