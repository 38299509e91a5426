// The exposure resource as the HTTP API accepts and returns it. These schemas are the single
// source of the request validation, the response serialization, the TypeScript types the edge and
// the application speak, and the OpenAPI document. The rules they share with the domain (name and
// id patterns, TTL limits) are the domain's, imported; the domain's own types for the same data are
// held equal to these by domain-agreement.ts.
import { type Static, Type } from 'typebox';
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from '../domain/exposure-spec.ts';
import { DNS1035_LABEL, DNS1123_LABEL, EXPOSURE_ID, IANA_SVC_NAME, LABEL_VALUE } from '../domain/patterns.ts';
import { MAX_USER_LABEL_BYTES, MAX_USER_LABELS } from '../domain/user-labels.ts';
import { ref } from './reference.ts';
import { CacheAgeSeconds } from './service-events.ts';

/** What the labels' schemas cannot say themselves; the domain enforces it (src/domain/user-labels.ts). */
const LABEL_RULES = `At most ${MAX_USER_LABELS} labels of at most ${MAX_USER_LABEL_BYTES} bytes (keys and values added up) per exposure. Keys under kubernetes.io, k8s.io and exposure-api.io, or a subdomain of them, are refused (kube-proxy acts on some of them), except the recommended app.kubernetes.io/ labels other than app.kubernetes.io/managed-by.`;

export const Protocol = Type.Union([Type.Literal('TCP'), Type.Literal('UDP')], {
  $id: 'Protocol',
  description: 'Transport protocol of a port.',
});

export const ExternalTrafficPolicy = Type.Union([Type.Literal('Cluster'), Type.Literal('Local')], {
  $id: 'ExternalTrafficPolicy',
  description:
    '`Cluster`: every Ready node forwards to any ready pod. `Local`: only nodes holding a ready pod of the workload serve (and the client source address is kept).',
});

export const PortRequest = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        maxLength: 63,
        pattern: DNS1123_LABEL,
        description: 'Port name; required when there is more than one port.',
      }),
    ),
    port: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port of the Service.' }),
    targetPort: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 1, maximum: 65535 }),
          Type.String({ maxLength: 15, pattern: IANA_SVC_NAME }),
        ],
        {
          description: 'Container port number or name; defaults to `port`.',
        },
      ),
    ),
    nodePort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description:
          "Node port to use; must lie in the cluster's NodePort range. Omit to have one allocated.",
      }),
    ),
    protocol: Type.Optional(ref(Protocol)),
  },
  { $id: 'PortRequest', additionalProperties: false },
);

export const HealthCheck = Type.Object(
  {
    type: Type.Union([Type.Literal('tcp'), Type.Literal('http')], {
      description: '`tcp`: a TCP connect. `http`: an HTTP GET that must answer 2xx or 3xx.',
    }),
    port: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description:
          "The exposure's TCP `port` whose node port is probed for every endpoint of a node (so UDP ports get a health too). Defaults to each endpoint's own port.",
      }),
    ),
    path: Type.Optional(
      Type.String({
        pattern: '^/[\\x21-\\x7e]*$',
        maxLength: 256,
        description: 'Path of the HTTP check; default `/`.',
      }),
    ),
  },
  { $id: 'HealthCheck', additionalProperties: false, description: 'How endpoint health is probed.' },
);

const Ports = Type.Array(ref(PortRequest), { minItems: 1, maxItems: 100 });

const SourceRanges = Type.Array(Type.String({ maxLength: 64 }), {
  minItems: 1,
  maxItems: 256,
  description:
    "CIDRs allowed to reach the node ports (IPv4 and IPv6 may be mixed; each family gets its own firewall rule). Host bits must be zero; each range must lie inside the installation's allowed ranges and be no wider than its minimum prefix length.",
  examples: [['203.0.113.0/24']],
});

const TtlSeconds = Type.Integer({
  minimum: MIN_TTL_SECONDS,
  maximum: MAX_TTL_SECONDS,
  description: 'Delete the exposure (rule first, then Service) this many seconds from now.',
});

const ExpiresAt = Type.String({
  format: 'date-time',
  description: 'Delete the exposure (rule first, then Service) at this time. Give this or `ttlSeconds`.',
});

export const CreateExposureRequest = Type.Object(
  {
    namespace: Type.String({ minLength: 1, maxLength: 63, pattern: DNS1123_LABEL, examples: ['search'] }),
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: DNS1035_LABEL,
      description: 'Name of the NodePort Service to create (a DNS-1035 label).',
      examples: ['elasticsearch'],
    }),
    selector: Type.Record(Type.String(), Type.String({ maxLength: 63, pattern: LABEL_VALUE }), {
      minProperties: 1,
      maxProperties: 32,
      description: 'Labels of the pods to expose; must not be empty.',
      examples: [{ app: 'elasticsearch' }],
    }),
    ports: Ports,
    externalTrafficPolicy: Type.Optional(ref(ExternalTrafficPolicy)),
    sourceRanges: SourceRanges,
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 63, pattern: LABEL_VALUE }), {
        maxProperties: MAX_USER_LABELS,
        description: `Labels for the Service, in addition to the ones exposure-api manages. Without \`labels\`, the Service gets the selector's labels (as \`kubectl expose\` does), leaving out keys that could not be set here; give \`{}\` for none. ${LABEL_RULES}`,
      }),
    ),
    healthCheck: Type.Optional(ref(HealthCheck)),
    ttlSeconds: Type.Optional(TtlSeconds),
    expiresAt: Type.Optional(ExpiresAt),
  },
  {
    $id: 'CreateExposureRequest',
    additionalProperties: false,
    examples: [
      {
        namespace: 'search',
        name: 'elasticsearch',
        selector: { app: 'elasticsearch' },
        ports: [{ name: 'http', port: 9200, nodePort: 30920 }],
        sourceRanges: ['203.0.113.0/24'],
        labels: { app: 'elasticsearch', team: 'search' },
      },
    ],
  },
);
export type CreateExposureRequest = Static<typeof CreateExposureRequest>;

export const PatchExposureRequest = Type.Object(
  {
    ports: Type.Optional(Ports),
    sourceRanges: Type.Optional(SourceRanges),
    labels: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Union([Type.String({ maxLength: 63, pattern: LABEL_VALUE }), Type.Null()]),
        {
          description: `Labels to set; \`null\` removes a label (RFC 7396). The labels after the patch follow the rules of a create: ${LABEL_RULES}`,
        },
      ),
    ),
    ttlSeconds: Type.Optional(Type.Union([TtlSeconds, Type.Null()])),
    expiresAt: Type.Optional(Type.Union([ExpiresAt, Type.Null()])),
  },
  {
    $id: 'PatchExposureRequest',
    additionalProperties: false,
    minProperties: 1,
    description:
      'A JSON merge patch (RFC 7396): the source ranges, ports, labels and expiry of an exposure. `ports` and `sourceRanges` replace the lists; a label or expiry set to `null` is removed. The namespace, name and selector cannot change: create another exposure.',
    examples: [
      { sourceRanges: ['203.0.113.0/24', '198.51.100.0/24'], labels: { owner: null }, ttlSeconds: 86400 },
    ],
  },
);
export type PatchExposureRequest = Static<typeof PatchExposureRequest>;

export const ExposurePort = Type.Object(
  {
    name: Type.Optional(Type.String()),
    port: Type.Integer(),
    targetPort: Type.Union([Type.Integer(), Type.String()]),
    nodePort: Type.Integer({ description: 'The allocated node port.' }),
    protocol: ref(Protocol),
  },
  { $id: 'ExposurePort', additionalProperties: false },
);
export type ExposurePort = Static<typeof ExposurePort>;

export const ConditionStatus = Type.Union([
  Type.Literal('True'),
  Type.Literal('False'),
  Type.Literal('Unknown'),
]);

export const Condition = Type.Object(
  {
    type: Type.String({ examples: ['FirewallReady'] }),
    status: ConditionStatus,
    reason: Type.String({ description: 'A CamelCase word', examples: ['UpToDate'] }),
    message: Type.String(),
    lastTransitionTime: Type.String({ format: 'date-time' }),
    observedGeneration: Type.Integer(),
  },
  { $id: 'Condition', additionalProperties: false },
);
export type Condition = Static<typeof Condition>;

export const Phase = Type.Union(
  [
    Type.Literal('Provisioning'),
    Type.Literal('Ready'),
    Type.Literal('Degraded'),
    Type.Literal('Failed'),
    Type.Literal('Deleting'),
  ],
  {
    $id: 'Phase',
    description:
      '`Provisioning`: Service or firewall rule not yet in place (or not yet changed to a new spec). `Ready`: both in place and up to date, and at least one serving endpoint healthy — or none could be probed (UDP only, without a health check). `Degraded`: in place, but no serving endpoint is healthy, or the rule drifted and is being repaired. `Failed`: needs a person (policy, quota, permission); the conditions say what to do. `Deleting`.',
  },
);
export type Phase = Static<typeof Phase>;

export const ExposureStatus = Type.Object(
  {
    phase: ref(Phase),
    conditions: Type.Array(ref(Condition)),
    observedGeneration: Type.Integer(),
  },
  { $id: 'ExposureStatus', additionalProperties: false },
);
export type ExposureStatus = Static<typeof ExposureStatus>;

export const HealthState = Type.Union([
  Type.Literal('Healthy'),
  Type.Literal('Unhealthy'),
  Type.Literal('Unknown'),
]);
export type HealthState = Static<typeof HealthState>;

export const EndpointHealth = Type.Object(
  {
    state: HealthState,
    probedAddress: Type.Optional(Type.String({ description: 'The address the probe connected to.' })),
    probe: Type.Optional(Type.String({ description: 'What was probed, e.g. `tcp 10.128.0.7:30920`.' })),
    latencyMs: Type.Optional(Type.Number()),
    checkedAt: Type.Optional(Type.String({ format: 'date-time' })),
    error: Type.Optional(Type.String({ description: 'Why the probe failed.' })),
    reason: Type.Optional(Type.String({ description: 'Why the state is Unknown.' })),
  },
  { $id: 'EndpointHealth', additionalProperties: false },
);
export type EndpointHealth = Static<typeof EndpointHealth>;

export const AddressType = Type.Union([Type.Literal('ExternalIP'), Type.Literal('InternalIP')]);

export const Endpoint = Type.Object(
  {
    node: Type.String(),
    address: Type.String({ description: 'ExternalIP of the node if it has one, else its InternalIP.' }),
    addressType: AddressType,
    internalIP: Type.Optional(Type.String()),
    externalIP: Type.Optional(Type.String()),
    port: Type.Integer({ description: 'The node port.' }),
    portName: Type.Optional(Type.String()),
    protocol: ref(Protocol),
    url: Type.Optional(Type.String({ description: 'For TCP ports: `http://address:port`.' })),
    nodeReady: Type.Boolean(),
    serving: Type.Boolean({
      description: 'Whether the node forwards to a ready pod (under `Local`, only nodes holding one).',
    }),
    health: ref(EndpointHealth),
  },
  { $id: 'Endpoint', additionalProperties: false },
);
export type Endpoint = Static<typeof Endpoint>;

export const EndpointSummary = Type.Object(
  {
    total: Type.Integer(),
    serving: Type.Integer(),
    healthy: Type.Integer(),
    unhealthy: Type.Integer(),
    unknown: Type.Integer(),
  },
  { $id: 'EndpointSummary', additionalProperties: false },
);
export type EndpointSummary = Static<typeof EndpointSummary>;

export const FirewallRuleView = Type.Object(
  {
    name: Type.String(),
    ipFamily: Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')]),
    sourceRanges: Type.Array(Type.String()),
    allowed: Type.Array(Type.String({ examples: ['tcp:30920'] })),
  },
  { $id: 'FirewallRuleView', additionalProperties: false },
);

export const FirewallIncident = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    rule: Type.String({ description: 'The rule that was changed (or restored).' }),
    kind: Type.Union(
      [Type.Literal('deleted'), Type.Literal('widened'), Type.Literal('narrowed'), Type.Literal('edited')],
      {
        description:
          '`widened`: let in more than the spec (repaired before any other work); `narrowed` or `deleted`: shut out what the spec allows; `edited`: neither.',
      },
    ),
    message: Type.String({
      description: 'What changed, in plain words.',
      examples: ['source ranges widened out of band to 0.0.0.0/0'],
    }),
  },
  { $id: 'FirewallIncident', additionalProperties: false },
);

export const FirewallView = Type.Object(
  {
    project: Type.String(),
    network: Type.String(),
    priority: Type.Integer(),
    targetTags: Type.Optional(Type.Array(Type.String())),
    targetServiceAccounts: Type.Optional(Type.Array(Type.String())),
    rules: Type.Array(ref(FirewallRuleView)),
    state: Type.Union(
      [
        Type.Literal('Pending'),
        Type.Literal('UpToDate'),
        Type.Literal('Drifted'),
        Type.Literal('Failed'),
        Type.Literal('Deleting'),
        Type.Literal('Unknown'),
      ],
      {
        description:
          'What the reconciler last observed of the rules in GCE. `Drifted`: changed out of band, being repaired. `Unknown`: the last drift sweeps failed, so the last observation is not vouched for.',
      },
    ),
    verifiedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'When the rules were last seen matching the spec in GCE: the last drift sweep (every `reconciler.driftCheckSeconds`), or the reconciler pass that put them in place if that came later.',
      }),
    ),
    lastDrift: Type.Optional(ref(FirewallIncident)),
    lastRepair: Type.Optional(ref(FirewallIncident)),
  },
  { $id: 'FirewallView', additionalProperties: false },
);
export type FirewallView = Static<typeof FirewallView>;

export const ServiceView = Type.Object(
  {
    namespace: Type.String(),
    name: Type.String(),
    type: Type.Literal('NodePort'),
    clusterIP: Type.Optional(Type.String()),
    uid: Type.String(),
  },
  { $id: 'ServiceView', additionalProperties: false },
);

const exposureProperties = {
  id: Type.String({ pattern: EXPOSURE_ID, examples: ['exp_01jd6y8c3k2v7d9q4r5s6t7v8w'] }),
  cluster: Type.String({ description: 'Cluster id of the installation that manages the exposure.' }),
  namespace: Type.String(),
  name: Type.String(),
  selector: Type.Record(Type.String(), Type.String()),
  ports: Type.Array(ref(ExposurePort)),
  externalTrafficPolicy: ref(ExternalTrafficPolicy),
  sourceRanges: Type.Array(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  healthCheck: Type.Optional(ref(HealthCheck)),
  service: ref(ServiceView),
  firewall: ref(FirewallView),
  status: ref(ExposureStatus),
  endpointSummary: ref(EndpointSummary),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  generation: Type.Integer({ description: 'Incremented on every accepted change of the spec.' }),
};

/**
 * Endpoints one answer lists unless the caller asks for fewer or more (up to MAX_ENDPOINT_LIMIT):
 * every node of a 2,000-node cluster for two ports. Beyond, the best ones are listed and
 * `endpointsOmitted` says how many were left out, so that no read builds an answer of unbounded
 * size (100 ports on 2,000 nodes would be 200,000 endpoints, 70 MB of JSON).
 */
export const DEFAULT_ENDPOINT_LIMIT = 5_000;
export const MAX_ENDPOINT_LIMIT = 20_000;

export const Exposure = Type.Object(
  {
    ...exposureProperties,
    endpoints: Type.Array(ref(Endpoint), {
      description:
        'One per node with a usable address and port; serving and healthy ones first. At most `endpointLimit` of them (see `endpointsOmitted`); `endpointSummary` counts them all.',
    }),
    endpointsOmitted: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'How many endpoints (the lowest in the order above) were left out of `endpoints` because of `endpointLimit`; absent when none were.',
      }),
    ),
    cacheAgeSeconds: Type.Optional(CacheAgeSeconds),
  },
  { $id: 'Exposure', additionalProperties: false },
);
export type Exposure = Static<typeof Exposure>;

export const ExposureSummary = Type.Object(exposureProperties, {
  $id: 'ExposureSummary',
  additionalProperties: false,
  description: 'An exposure without its endpoint list (see `endpointSummary`); health from the probe cache.',
});
export type ExposureSummary = Static<typeof ExposureSummary>;

export const ExposureList = Type.Object(
  {
    items: Type.Array(ref(ExposureSummary)),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` to get the next page.' })),
    cacheAgeSeconds: Type.Optional(CacheAgeSeconds),
  },
  { $id: 'ExposureList', additionalProperties: false },
);
export type ExposureList = Static<typeof ExposureList>;

export const ExposureIdParams = Type.Object(
  { id: Type.String({ pattern: EXPOSURE_ID }) },
  { additionalProperties: false },
);

export const GetExposureQuery = Type.Object(
  {
    refresh: Type.Optional(
      Type.Boolean({ description: 'Probe every endpoint now instead of using cached results.' }),
    ),
    endpointLimit: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ENDPOINT_LIMIT,
        // No `default` keyword: Ajv would write it into every request's query, a cost on the
        // hottest route for a value the view applies anyway.
        description: `Endpoints to list at most, best first (default ${DEFAULT_ENDPOINT_LIMIT}); 0 lists none and keeps the counts of \`endpointSummary\`.`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const ListExposuresQuery = Type.Object(
  {
    namespace: Type.Optional(Type.String({ maxLength: 63, pattern: DNS1123_LABEL })),
    labelSelector: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'Kubernetes label selector, e.g. `app=elasticsearch,team in (search)`.',
      }),
    ),
    phase: Type.Optional(ref(Phase)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ListExposuresQuery = Static<typeof ListExposuresQuery>;

/** Named schemas in dependency order, registered with `app.addSchema`. */
export const exposureSchemas = [
  Protocol,
  ExternalTrafficPolicy,
  PortRequest,
  HealthCheck,
  CreateExposureRequest,
  PatchExposureRequest,
  ExposurePort,
  Condition,
  Phase,
  ExposureStatus,
  EndpointHealth,
  Endpoint,
  EndpointSummary,
  FirewallRuleView,
  FirewallIncident,
  FirewallView,
  ServiceView,
  Exposure,
  ExposureSummary,
  ExposureList,
];
