/**
 * Generated from openapi/openapi.json by `npm run openapi` (openapi-typescript). Do not edit.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the caches are synced */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exposures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List exposures in the namespaces you may use
         * @description Oldest first. Items leave out the endpoint list (see `endpointSummary`) and use cached health only. Pass `nextCursor` back as `cursor` for the next page.
         */
        get: operations["listExposures"];
        put?: never;
        /**
         * Expose a workload: create a NodePort Service and open the firewall for it
         * @description Validates everything, then creates the Service (a taken name or node port is a 409, never a take-over). The firewall rule(s) follow within seconds; `status` says where things stand. With `Prefer: wait=N` the answer comes once the exposure is Ready (or Failed), or after N seconds. With an `Idempotency-Key`, repeating the same request answers the exposure it created (keys are per caller); the same key with another body is a 422.
         */
        post: operations["createExposure"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exposures/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read an exposure: spec, Service, firewall, status, and every endpoint with its health
         * @description Served from caches: no call to the Kubernetes or GCE API when the exposure is cached. Endpoint health comes from a short-lived probe cache; `refresh=true` probes again now. Lists at most `endpointLimit` endpoints, best first.
         */
        get: operations["getExposure"];
        put?: never;
        post?: never;
        /**
         * Delete an exposure: its firewall rules first, then its Service
         * @description Waits up to 10 s (or `Prefer: wait=N`) for both to be gone and answers 204; if that takes longer, 202 with the exposure in phase Deleting. `Prefer: respond-async` answers 202 at once. Nothing is left behind: the Service carries a finalizer until its rules are deleted.
         */
        delete: operations["deleteExposure"];
        options?: never;
        head?: never;
        /**
         * Change the source ranges, ports, labels or expiry of an exposure
         * @description A JSON merge patch (`application/merge-patch+json`, RFC 7396). The result is validated like a create; the Service is updated and the firewall rule patched in place (never re-created). With `If-Match`, the change is made only if the spec still has that ETag (412 otherwise).
         */
        patch: operations["patchExposure"];
        trace?: never;
    };
    "/exposures/{id}/watch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow an exposure: its state now, then every change, as server-sent events
         * @description A stream of server-sent events (`text/event-stream`): the exposure now, then again whenever what it shows changes (phase, conditions, endpoints and their health, spec, firewall rules), until it is deleted.
         *
         *     - `event: exposure` — `data` is the exposure exactly as `GET /exposures/{id}` serves it; `id` is a version of that state (a digest, the same on every replica).
         *     - `event: deleted` — `data` is `{"id": …}`; the last event, then the stream closes.
         *     - Comment lines (`: heartbeat`) when nothing else was sent for `server.watchHeartbeatSeconds` (15 s by default), so that proxies that cut idle connections keep the stream.
         *
         *     Resume after a dropped connection with `Last-Event-ID` (or `?lastEventId=`, for clients that cannot set headers), on any replica: the current exposure comes at once only if it differs from what that event showed, so a resumed stream misses no change and repeats none. A 404 on resume means the exposure was deleted meanwhile. Streams end when a load balancer bounds the time of a whole response (GKE Ingress: the BackendConfig `timeoutSec`, 30 s by default) and when a replica stops: resume then.
         *
         *     Served from caches, like a read: no call to the Kubernetes or GCE API per watcher; while anyone watches, the endpoints are probed again every `probe.cacheTtlMs` (at least a second apart) for all of them at once. A client that does not read gets only the latest state when it catches up, and is cut after `server.watchSlowReaderSeconds`. Open streams are limited per caller and per replica (429).
         */
        get: operations["watchExposure"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exposures/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An exposure's recent events: created, drifted, repaired, failed, quota, expired…
         * @description The Kubernetes Events on the exposure's Service, newest first, as `kubectl describe svc` lists them: what the reconciler did to its firewall rules and why it failed. Served from a cache of Events (no call to the Kubernetes API), which keeps the newest of each exposure; Kubernetes itself keeps Events an hour by default.
         */
        get: operations["exposureEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        FieldError: {
            /**
             * @description JSON Pointer (RFC 6901) to the offending field within `location`.
             * @example /ports/0/nodePort
             */
            pointer: string;
            location: "body" | "query" | "path" | "header";
            detail: string;
        };
        /** @description For `/problems/quota-exceeded`: which quota refused the change, and its figures. */
        QuotaExceeded: {
            /** @description A Kubernetes ResourceQuota of the namespace, or one of the installation's own limits. */
            source: "ResourceQuota" | "InstallationLimit";
            /**
             * @description The ResourceQuota's name, or the limit's setting (e.g. `limits.perNamespace.nodePorts`).
             * @example tenant-quota
             * @example limits.perNamespace.nodePorts
             */
            name: string;
            /** @description Whose usage the quota counts. */
            scope: "namespace" | "subject" | "installation";
            namespace?: string;
            subject?: string;
            /** @description The resources the change would take past the quota (empty when the cluster did not say). */
            exceeded: {
                /** @description What is counted: `services.nodeports`, `count/services`, `services` (ResourceQuota), `exposures`, `nodePorts`, `firewallRules` (installation). */
                resource: string;
                /** @description What the change asked for. */
                requested: number;
                /** @description What was already used. */
                used: number;
                /** @description The quota's hard figure, or the limit. */
                limit: number;
            }[];
        };
        /** @description An RFC 9457 problem detail; `type` is stable per kind of problem. */
        Problem: {
            /**
             * Format: uri-reference
             * @example /problems/validation-failed
             */
            type: string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            errors?: components["schemas"]["FieldError"][];
            retryAfterSeconds?: number;
            requestId?: string;
            quota?: components["schemas"]["QuotaExceeded"];
        };
        /** @description Transport protocol of a port. */
        Protocol: "TCP" | "UDP";
        /** @description `Cluster`: every Ready node forwards to any ready pod. `Local`: only nodes holding a ready pod of the workload serve (and the client source address is kept). */
        ExternalTrafficPolicy: "Cluster" | "Local";
        PortRequest: {
            /** @description Port name; required when there is more than one port. */
            name?: string;
            /** @description Port of the Service. */
            port: number;
            /** @description Container port number or name; defaults to `port`. */
            targetPort?: number | string;
            /** @description Node port to use; must lie in the cluster's NodePort range. Omit to have one allocated. */
            nodePort?: number;
            protocol?: components["schemas"]["Protocol"];
        };
        /** @description How endpoint health is probed. */
        HealthCheck: {
            /** @description `tcp`: a TCP connect. `http`: an HTTP GET that must answer 2xx or 3xx. */
            type: "tcp" | "http";
            /** @description The exposure's TCP `port` whose node port is probed for every endpoint of a node (so UDP ports get a health too). Defaults to each endpoint's own port. */
            port?: number;
            /** @description Path of the HTTP check; default `/`. */
            path?: string;
        };
        /**
         * @example {
         *       "namespace": "search",
         *       "name": "elasticsearch",
         *       "selector": {
         *         "app": "elasticsearch"
         *       },
         *       "ports": [
         *         {
         *           "name": "http",
         *           "port": 9200,
         *           "nodePort": 30920
         *         }
         *       ],
         *       "sourceRanges": [
         *         "203.0.113.0/24"
         *       ],
         *       "labels": {
         *         "app": "elasticsearch",
         *         "team": "search"
         *       }
         *     }
         */
        CreateExposureRequest: {
            /** @example search */
            namespace: string;
            /**
             * @description Name of the NodePort Service to create (a DNS-1035 label).
             * @example elasticsearch
             */
            name: string;
            /**
             * @description Labels of the pods to expose; must not be empty.
             * @example {
             *       "app": "elasticsearch"
             *     }
             */
            selector: {
                [key: string]: string;
            };
            ports: components["schemas"]["PortRequest"][];
            externalTrafficPolicy?: components["schemas"]["ExternalTrafficPolicy"];
            /**
             * @description CIDRs allowed to reach the node ports (IPv4 and IPv6 may be mixed; each family gets its own firewall rule). Host bits must be zero; each range must lie inside the installation's allowed ranges and be no wider than its minimum prefix length.
             * @example [
             *       "203.0.113.0/24"
             *     ]
             */
            sourceRanges: string[];
            /** @description Labels for the Service, in addition to the ones exposure-api manages. Without `labels`, the Service gets the selector's labels (as `kubectl expose` does), leaving out keys that could not be set here; give `{}` for none. At most 32 labels of at most 4096 bytes (keys and values added up) per exposure. Keys under kubernetes.io, k8s.io and exposure-api.io, or a subdomain of them, are refused (kube-proxy acts on some of them), except the recommended app.kubernetes.io/ labels other than app.kubernetes.io/managed-by. */
            labels?: {
                [key: string]: string;
            };
            healthCheck?: components["schemas"]["HealthCheck"];
            /** @description Delete the exposure (rule first, then Service) this many seconds from now. */
            ttlSeconds?: number;
            /**
             * Format: date-time
             * @description Delete the exposure (rule first, then Service) at this time. Give this or `ttlSeconds`.
             */
            expiresAt?: string;
        };
        /**
         * @description A JSON merge patch (RFC 7396): the source ranges, ports, labels and expiry of an exposure. `ports` and `sourceRanges` replace the lists; a label or expiry set to `null` is removed. The namespace, name and selector cannot change: create another exposure.
         * @example {
         *       "sourceRanges": [
         *         "203.0.113.0/24",
         *         "198.51.100.0/24"
         *       ],
         *       "labels": {
         *         "owner": null
         *       },
         *       "ttlSeconds": 86400
         *     }
         */
        PatchExposureRequest: {
            ports?: components["schemas"]["PortRequest"][];
            /**
             * @description CIDRs allowed to reach the node ports (IPv4 and IPv6 may be mixed; each family gets its own firewall rule). Host bits must be zero; each range must lie inside the installation's allowed ranges and be no wider than its minimum prefix length.
             * @example [
             *       "203.0.113.0/24"
             *     ]
             */
            sourceRanges?: string[];
            /** @description Labels to set; `null` removes a label (RFC 7396). The labels after the patch follow the rules of a create: At most 32 labels of at most 4096 bytes (keys and values added up) per exposure. Keys under kubernetes.io, k8s.io and exposure-api.io, or a subdomain of them, are refused (kube-proxy acts on some of them), except the recommended app.kubernetes.io/ labels other than app.kubernetes.io/managed-by. */
            labels?: {
                [key: string]: string | null;
            };
            ttlSeconds?: number | null;
            expiresAt?: string | null;
        };
        ExposurePort: {
            name?: string;
            port: number;
            targetPort: number | string;
            /** @description The allocated node port. */
            nodePort: number;
            protocol: components["schemas"]["Protocol"];
        };
        Condition: {
            /** @example FirewallReady */
            type: string;
            status: "True" | "False" | "Unknown";
            /**
             * @description A CamelCase word
             * @example UpToDate
             */
            reason: string;
            message: string;
            /** Format: date-time */
            lastTransitionTime: string;
            observedGeneration: number;
        };
        /** @description `Provisioning`: Service or firewall rule not yet in place (or not yet changed to a new spec). `Ready`: both in place and up to date, and at least one serving endpoint healthy — or none could be probed (UDP only, without a health check). `Degraded`: in place, but no serving endpoint is healthy, or the rule drifted and is being repaired. `Failed`: needs a person (policy, quota, permission); the conditions say what to do. `Deleting`. */
        Phase: "Provisioning" | "Ready" | "Degraded" | "Failed" | "Deleting";
        ExposureStatus: {
            phase: components["schemas"]["Phase"];
            conditions: components["schemas"]["Condition"][];
            observedGeneration: number;
        };
        EndpointHealth: {
            state: "Healthy" | "Unhealthy" | "Unknown";
            /** @description The address the probe connected to. */
            probedAddress?: string;
            /** @description What was probed, e.g. `tcp 10.128.0.7:30920`. */
            probe?: string;
            latencyMs?: number;
            /** Format: date-time */
            checkedAt?: string;
            /** @description Why the probe failed. */
            error?: string;
            /** @description Why the state is Unknown. */
            reason?: string;
        };
        Endpoint: {
            node: string;
            /** @description ExternalIP of the node if it has one, else its InternalIP. */
            address: string;
            addressType: "ExternalIP" | "InternalIP";
            internalIP?: string;
            externalIP?: string;
            /** @description The node port. */
            port: number;
            portName?: string;
            protocol: components["schemas"]["Protocol"];
            /** @description For TCP ports: `http://address:port`. */
            url?: string;
            nodeReady: boolean;
            /** @description Whether the node forwards to a ready pod (under `Local`, only nodes holding one). */
            serving: boolean;
            health: components["schemas"]["EndpointHealth"];
        };
        EndpointSummary: {
            total: number;
            serving: number;
            healthy: number;
            unhealthy: number;
            unknown: number;
        };
        FirewallRuleView: {
            name: string;
            ipFamily: "IPv4" | "IPv6";
            sourceRanges: string[];
            allowed: string[];
        };
        FirewallIncident: {
            /** Format: date-time */
            at: string;
            /** @description The rule that was changed (or restored). */
            rule: string;
            /** @description `widened`: let in more than the spec (repaired before any other work); `narrowed` or `deleted`: shut out what the spec allows; `edited`: neither. */
            kind: "deleted" | "widened" | "narrowed" | "edited";
            /**
             * @description What changed, in plain words.
             * @example source ranges widened out of band to 0.0.0.0/0
             */
            message: string;
        };
        FirewallView: {
            project: string;
            network: string;
            priority: number;
            targetTags?: string[];
            targetServiceAccounts?: string[];
            rules: components["schemas"]["FirewallRuleView"][];
            /** @description What the reconciler last observed of the rules in GCE. `Drifted`: changed out of band, being repaired. `Unknown`: the last drift sweeps failed, so the last observation is not vouched for. */
            state: "Pending" | "UpToDate" | "Drifted" | "Failed" | "Deleting" | "Unknown";
            /**
             * Format: date-time
             * @description When the rules were last seen matching the spec in GCE: the last drift sweep (every `reconciler.driftCheckSeconds`), or the reconciler pass that put them in place if that came later.
             */
            verifiedAt?: string;
            lastDrift?: components["schemas"]["FirewallIncident"];
            lastRepair?: components["schemas"]["FirewallIncident"];
        };
        ServiceView: {
            namespace: string;
            name: string;
            /** @enum {string} */
            type: "NodePort";
            clusterIP?: string;
            uid: string;
        };
        Exposure: {
            /** @example exp_01jd6y8c3k2v7d9q4r5s6t7v8w */
            id: string;
            /** @description Cluster id of the installation that manages the exposure. */
            cluster: string;
            namespace: string;
            name: string;
            selector: {
                [key: string]: string;
            };
            ports: components["schemas"]["ExposurePort"][];
            externalTrafficPolicy: components["schemas"]["ExternalTrafficPolicy"];
            sourceRanges: string[];
            labels: {
                [key: string]: string;
            };
            healthCheck?: components["schemas"]["HealthCheck"];
            service: components["schemas"]["ServiceView"];
            firewall: components["schemas"]["FirewallView"];
            status: components["schemas"]["ExposureStatus"];
            endpointSummary: components["schemas"]["EndpointSummary"];
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            expiresAt: string | null;
            /** @description Incremented on every accepted change of the spec. */
            generation: number;
            /** @description One per node with a usable address and port; serving and healthy ones first. At most `endpointLimit` of them (see `endpointsOmitted`); `endpointSummary` counts them all. */
            endpoints: components["schemas"]["Endpoint"][];
            /** @description How many endpoints (the lowest in the order above) were left out of `endpoints` because of `endpointLimit`; absent when none were. */
            endpointsOmitted?: number;
            /** @description Present only when the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`: the answer comes from the caches, whose data may be this many seconds old (also in the `X-Cache-Age` header). */
            cacheAgeSeconds?: number;
        };
        /** @description An exposure without its endpoint list (see `endpointSummary`); health from the probe cache. */
        ExposureSummary: {
            /** @example exp_01jd6y8c3k2v7d9q4r5s6t7v8w */
            id: string;
            /** @description Cluster id of the installation that manages the exposure. */
            cluster: string;
            namespace: string;
            name: string;
            selector: {
                [key: string]: string;
            };
            ports: components["schemas"]["ExposurePort"][];
            externalTrafficPolicy: components["schemas"]["ExternalTrafficPolicy"];
            sourceRanges: string[];
            labels: {
                [key: string]: string;
            };
            healthCheck?: components["schemas"]["HealthCheck"];
            service: components["schemas"]["ServiceView"];
            firewall: components["schemas"]["FirewallView"];
            status: components["schemas"]["ExposureStatus"];
            endpointSummary: components["schemas"]["EndpointSummary"];
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            expiresAt: string | null;
            /** @description Incremented on every accepted change of the spec. */
            generation: number;
        };
        ExposureList: {
            items: components["schemas"]["ExposureSummary"][];
            /** @description Pass as `cursor` to get the next page. */
            nextCursor?: string;
            /** @description Present only when the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`: the answer comes from the caches, whose data may be this many seconds old (also in the `X-Cache-Age` header). */
            cacheAgeSeconds?: number;
        };
        /** @description The exposure now, exactly as `GET /exposures/{id}` serves it. Sent at once when the stream opens, then whenever its phase, conditions, endpoints or their health, spec or firewall rules change; not when only the times of probes do. */
        ExposureEvent: {
            /** @enum {string} */
            event: "exposure";
            /** @description A version of what the exposure shows: a digest of everything in it except the times and latencies of observations (endpoints' `health.checkedAt` and `health.latencyMs`, conditions' `lastTransitionTime`). Every replica gives the same state the same id, so any of them can resume a stream from it. Opaque: compare for equality only. */
            id: string;
            data: string;
        };
        /** @description The exposure is gone (its rules and its Service are deleted). The last event: the stream closes after it. It has no `id`. */
        ExposureDeletedEvent: {
            /** @enum {string} */
            event: "deleted";
            data: string;
        };
        /** @description One event of a watch stream, written as server-sent event fields: `id:` (exposure events only), `event:` (the name), and `data:` (JSON, on one line, whose schema is the `contentSchema` of `data`). Comment lines (starting with `:`) are heartbeats. */
        WatchEvent: components["schemas"]["ExposureEvent"] | components["schemas"]["ExposureDeletedEvent"];
        /** @description A Kubernetes Event on the exposure's Service. */
        ServiceEvent: {
            type: "Normal" | "Warning";
            /**
             * @description A CamelCase word
             * @example FirewallDrifted
             */
            reason: string;
            message: string;
            /** @description How many times it happened. */
            count: number;
            /** Format: date-time */
            firstTimestamp: string;
            /** Format: date-time */
            lastTimestamp: string;
            /** @description Who reported it, e.g. `exposure-api`. */
            source: string;
        };
        ServiceEventList: {
            /** @description Newest first. Kubernetes keeps Events for an hour by default. */
            items: components["schemas"]["ServiceEvent"][];
            /** @description Present only when the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`: the answer comes from the caches, whose data may be this many seconds old (also in the `X-Cache-Age` header). */
            cacheAgeSeconds?: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: "ok" | "ready" | "not-ready";
                        checks?: {
                            [key: string]: boolean;
                        };
                    };
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: "ok" | "ready" | "not-ready";
                        checks?: {
                            [key: string]: boolean;
                        };
                    };
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: "ok" | "ready" | "not-ready";
                        checks?: {
                            [key: string]: boolean;
                        };
                    };
                };
            };
        };
    };
    listExposures: {
        parameters: {
            query?: {
                namespace?: string;
                /** @description Kubernetes label selector, e.g. `app=elasticsearch,team in (search)`. */
                labelSelector?: string;
                phase?: components["schemas"]["Phase"];
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of exposures */
            200: {
                headers: {
                    /** @description Only when the data may be stale (the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`): `110 - "Response is Stale"`. */
                    Warning?: string;
                    /** @description With the Warning: how many seconds old the data may be (as `cacheAgeSeconds`). */
                    "X-Cache-Age"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExposureList"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createExposure: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description RFC 7240, e.g. `wait=10`
                 * @example wait=10
                 */
                prefer?: string;
                /** @description Makes retries of this create safe: the same key and body give the same exposure. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateExposureRequest"];
            };
        };
        responses: {
            /** @description Created; `status` tells how far provisioning got. */
            201: {
                headers: {
                    /** @description Path of the exposure, `/exposures/{id}`. */
                    Location?: string;
                    /** @description Hash of the accepted spec (status changes do not change it). */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Exposure"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict: `/problems/name-taken`, `/problems/node-port-taken`, `/problems/node-port-releasing`, `/problems/node-port-range-full`, `/problems/exposure-deleting` */
            409: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large: `/problems/payload-too-large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content-Type is not application/json: `/problems/unsupported-media-type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Valid, but not allowed or not possible: `/problems/idempotency-key-reused`, `/problems/policy-violation`, `/problems/namespace-not-found` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getExposure: {
        parameters: {
            query?: {
                /** @description Probe every endpoint now instead of using cached results. */
                refresh?: boolean;
                /** @description Endpoints to list at most, best first (default 5000); 0 lists none and keeps the counts of `endpointSummary`. */
                endpointLimit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The exposure */
            200: {
                headers: {
                    /** @description Hash of the accepted spec (status changes do not change it). */
                    ETag?: string;
                    /** @description Only when the data may be stale (the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`): `110 - "Response is Stale"`. */
                    Warning?: string;
                    /** @description With the Warning: how many seconds old the data may be (as `cacheAgeSeconds`). */
                    "X-Cache-Age"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Exposure"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A path parameter is too long: `/problems/uri-too-long` */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteExposure: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `wait=N` or `respond-async` */
                prefer?: string;
                /** @description Delete only if the spec still has this ETag */
                "if-match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deletion is under way (phase Deleting). */
            202: {
                headers: {
                    /** @description Hash of the accepted spec (status changes do not change it). */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Exposure"];
                };
            };
            /** @description Deleted: the firewall rules and the Service are gone. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The spec changed since it was read (If-Match): `/problems/precondition-failed` */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A path parameter is too long: `/problems/uri-too-long` */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patchExposure: {
        parameters: {
            query?: never;
            header?: {
                /** @description An ETag from a previous read */
                "if-match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchExposureRequest"];
            };
        };
        responses: {
            /** @description The changed exposure, with the new ETag */
            200: {
                headers: {
                    /** @description Hash of the accepted spec (status changes do not change it). */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Exposure"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict: `/problems/name-taken`, `/problems/node-port-taken`, `/problems/node-port-releasing`, `/problems/node-port-range-full`, `/problems/exposure-deleting` */
            409: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The spec changed since it was read (If-Match): `/problems/precondition-failed` */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large: `/problems/payload-too-large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A path parameter is too long: `/problems/uri-too-long` */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content-Type is not application/json: `/problems/unsupported-media-type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Valid, but not allowed or not possible: `/problems/idempotency-key-reused`, `/problems/policy-violation`, `/problems/namespace-not-found` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    watchExposure: {
        parameters: {
            query?: {
                /** @description The `id` of the last event received. The current exposure is sent at once only if it differs from what that event showed; otherwise the stream starts with the next change. For clients that cannot set the `Last-Event-ID` header (which wins when both are sent). */
                lastEventId?: string;
            };
            header?: {
                /** @description The `id` of the last event received. The current exposure is sent at once only if it differs from what that event showed; otherwise the stream starts with the next change. */
                "last-event-id"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An event stream that stays open: `exposure` events, heartbeat comments, and a final `deleted` event. Each event is one of `WatchEvent`. */
            200: {
                headers: {
                    /** @description `no-cache, no-transform` */
                    "Cache-Control"?: string;
                    /** @description `no` */
                    "X-Accel-Buffering"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["WatchEvent"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    exposureEvents: {
        parameters: {
            query?: {
                /** @description Events to list at most, newest first (default and most: 50, what the cache keeps per exposure). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recent events, newest first */
            200: {
                headers: {
                    /** @description Only when the data may be stale (the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`): `110 - "Response is Stale"`. */
                    Warning?: string;
                    /** @description With the Warning: how many seconds old the data may be (as `cacheAgeSeconds`). */
                    "X-Cache-Age"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceEventList"];
                };
            };
            /** @description Invalid request: `/problems/validation-failed`, `/problems/malformed-request`, `/problems/malformed-url` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or unknown bearer token: `/problems/unauthenticated` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The namespace is not one of the token's, or a quota has no room for the change: `/problems/forbidden`, `/problems/forbidden-namespace`, `/problems/quota-exceeded` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found (also for exposures in namespaces the token may not use): `/problems/exposure-not-found`, `/problems/route-not-found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed: `/problems/request-timeout` */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A path parameter is too long: `/problems/uri-too-long` */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rate limit was reached, or you hold too many connections or open streams: `/problems/rate-limited`, `/problems/too-many-connections`, `/problems/too-many-streams` */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request headers too large: `/problems/headers-too-large` */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Kubernetes unavailable, or exposure-api lacks a permission there: `/problems/kubernetes-misconfigured`, `/problems/caches-not-synced`, `/problems/kubernetes-unavailable` */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
