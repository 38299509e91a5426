// The configuration of an installation, as a TypeBox schema: it validates the file at startup,
// documents every setting (the README's reference is checked against it), and types the code.
import { type Static, Type } from 'typebox';
import { CLUSTER_ID, DNS1035_LABEL, DNS1123_LABEL } from '../domain/patterns.ts';
import { AuthorizationSettings, authSettingsProperties } from './auth-settings-schema.ts';
import { RateLimitSettings, ServerSettings } from './edge-settings-schema.ts';
import { InstallationLimitsSettings } from './limits-schema.ts';

const Cidr = Type.String({ description: 'A CIDR such as 10.0.0.0/8 or 2001:db8::/32' });

export const TokenEntry = Type.Object(
  {
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description:
        'Hex SHA-256 of the bearer token (`printf %s "$TOKEN" | sha256sum`); the token itself is never stored.',
    }),
    subject: Type.String({ minLength: 1, description: 'Who uses the token; recorded as `createdBy`.' }),
    namespaces: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Namespaces the token may use; `*` for all.',
    }),
  },
  { additionalProperties: false },
);
export type TokenEntry = Static<typeof TokenEntry>;

export const Config = Type.Object(
  {
    server: ServerSettings,
    rateLimit: RateLimitSettings,
    cluster: Type.Object(
      {
        id: Type.String({
          pattern: CLUSTER_ID,
          description:
            "Unique id of this installation (1-20 characters, a-z0-9-). It is part of every firewall rule name and ownership record, so two installations in one GCE project never touch each other's rules.",
        }),
        kubeconfig: Type.Optional(
          Type.String({
            description: 'Path of a kubeconfig file; without it, the in-cluster service account is used.',
          }),
        ),
        context: Type.Optional(Type.String({ description: 'Context of the kubeconfig to use.' })),
        namespaces: Type.Optional(
          Type.Array(Type.String({ pattern: DNS1123_LABEL, maxLength: 63 }), {
            minItems: 1,
            description:
              'Namespaces this installation manages (and watches); absent: all. Tokens can narrow it further, never widen it.',
          }),
        ),
        nodePortRange: Type.Object(
          {
            min: Type.Integer({ minimum: 1, maximum: 65535, default: 30000 }),
            max: Type.Integer({ minimum: 1, maximum: 65535, default: 32767 }),
          },
          {
            additionalProperties: false,
            default: {},
            description: "The cluster's --service-node-port-range.",
          },
        ),
        staleAfterSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 60,
          description:
            'Once the watch on the Kubernetes API has been broken this long, reads still answer from the caches but say how old their data may be (a Warning and X-Cache-Age header, and cacheAgeSeconds).',
        }),
      },
      { additionalProperties: false },
    ),
    gce: Type.Object(
      {
        project: Type.String({
          minLength: 1,
          description:
            'Project that holds the network and its firewall rules (the host project under shared VPC).',
        }),
        network: Type.String({
          minLength: 1,
          default: 'default',
          description: "Name of the cluster nodes' VPC network.",
        }),
        endpoint: Type.Optional(
          Type.String({
            description:
              'Base URL of the Compute API, e.g. http://127.0.0.1:8085 for the emulator; default the real API.',
          }),
        ),
        writesPerSecond: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 5,
          description:
            'Client-side limit on firewall writes, so a burst does not spend the API quota others share.',
        }),
        operationTimeoutSeconds: Type.Integer({
          minimum: 1,
          default: 120,
          description: 'How long to wait for a firewall operation to finish.',
        }),
      },
      { additionalProperties: false },
    ),
    firewall: Type.Object(
      {
        priority: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 1000,
          description: 'Priority of the rules.',
        }),
        targetTags: Type.Array(Type.String({ pattern: DNS1035_LABEL, maxLength: 63 }), {
          default: [],
          description: "Network tags of the cluster's nodes (e.g. GKE's gke-CLUSTER-HASH-node).",
        }),
        targetServiceAccounts: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          maxItems: 10,
          description: "Service accounts of the cluster's nodes; use instead of targetTags.",
        }),
      },
      {
        additionalProperties: false,
        description: 'Exactly one of targetTags and targetServiceAccounts must be non-empty.',
      },
    ),
    sourceRanges: Type.Object(
      {
        allowed: Type.Array(Cidr, {
          minItems: 1,
          default: ['0.0.0.0/0', '::/0'],
          description: 'Every requested source range must lie inside one of these.',
        }),
        minPrefixLength: Type.Object(
          {
            ipv4: Type.Integer({ minimum: 0, maximum: 32, default: 16 }),
            ipv6: Type.Integer({ minimum: 0, maximum: 128, default: 48 }),
          },
          { additionalProperties: false, default: {}, description: 'Ranges wider than this are refused.' },
        ),
        allowPublic: Type.Boolean({
          default: false,
          description: 'Whether 0.0.0.0/0 and ::/0 may be requested.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    probe: Type.Object(
      {
        addressType: Type.Union([Type.Literal('InternalIP'), Type.Literal('ExternalIP')], {
          default: 'InternalIP',
          description:
            'Which node address the health probe connects to. InternalIP proves the node forwards to a ready pod; an ExternalIP probed from inside the VPC leaves through NAT from outside the rule.',
        }),
        timeoutMs: Type.Integer({
          minimum: 50,
          maximum: 1000,
          default: 1000,
          description: 'Timeout of one probe.',
        }),
        cacheTtlMs: Type.Integer({
          minimum: 0,
          default: 5000,
          description: 'How long a probe result is reused.',
        }),
        concurrency: Type.Integer({
          minimum: 1,
          default: 512,
          description: 'Probes running at once, across all reads.',
        }),
        maxProbesPerRead: Type.Integer({
          minimum: 1,
          default: 2000,
          description: 'Endpoints probed by one read; the rest show their last result or Unknown.',
        }),
        cacheEntries: Type.Integer({
          minimum: 100,
          default: 100000,
          description: 'Probe results kept in memory.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    reconciler: Type.Object(
      {
        workers: Type.Integer({
          minimum: 1,
          maximum: 64,
          default: 4,
          description: 'Exposures reconciled at once.',
        }),
        resyncSeconds: Type.Integer({
          minimum: 10,
          default: 600,
          description: 'Interval of the full drift check.',
        }),
        driftCheckSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 30,
          description:
            'Interval of the drift sweep: the rules believed in place are listed and compared with their spec, and a rule deleted or changed out of band is reported and repaired.',
        }),
        backoffInitialMs: Type.Integer({
          minimum: 10,
          default: 1000,
          description: 'First retry delay after a failure.',
        }),
        backoffMaxMs: Type.Integer({ minimum: 100, default: 300000, description: 'Longest retry delay.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    leaderElection: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Elect one replica (with a Lease) to write to GCE; turn off only for a single replica.',
        }),
        namespace: Type.String({
          minLength: 1,
          default: 'default',
          description: "Namespace of the Lease (the service's own namespace; POD_NAMESPACE overrides).",
        }),
        leaseName: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'Name of the Lease; default `exposure-api-<cluster.id>`.',
          }),
        ),
        leaseDurationSeconds: Type.Integer({
          minimum: 2,
          default: 15,
          description: 'How long a lease lasts unrenewed.',
        }),
        renewDeadlineSeconds: Type.Integer({
          minimum: 1,
          default: 10,
          description: 'The leader stops writing if it cannot renew within this (shorter than the lease).',
        }),
        retryPeriodSeconds: Type.Integer({
          minimum: 1,
          default: 2,
          description: 'How often to renew or try to acquire.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    limits: InstallationLimitsSettings,
    auth: Type.Object(
      {
        tokens: Type.Array(TokenEntry, { default: [], description: 'Accepted bearer tokens.' }),
        tokensFile: Type.Optional(
          Type.String({
            description: 'A YAML or JSON file with more tokens (a list like `tokens`), e.g. from a Secret.',
          }),
        ),
        ...authSettingsProperties,
      },
      { additionalProperties: false, default: {} },
    ),
    authorization: AuthorizationSettings,
  },
  { additionalProperties: false },
);
export type Config = Static<typeof Config>;
