// Settings of the HTTP edge: where it listens, its timeouts and connection cap, and the per-caller
// rate limits (see the README's security section for how they fit together).
import { Type } from 'typebox';
import { MAX_WAIT_SECONDS } from '../edge/prefer.ts';
import { TlsSettings } from './auth-settings-schema.ts';

/** A fixed-window rate limit: at most `max` requests per `windowSeconds`. */
function RateLimit(what: string, max: number, windowSeconds: number) {
  return Type.Object(
    {
      max: Type.Integer({ minimum: 1, default: max, description: `${what}: requests allowed per window.` }),
      windowSeconds: Type.Integer({
        minimum: 1,
        default: windowSeconds,
        description: 'Length of the window.',
      }),
    },
    { additionalProperties: false, default: {} },
  );
}

export const ServerSettings = Type.Object(
  {
    host: Type.String({ default: '0.0.0.0', description: 'Address to listen on.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port to listen on.' }),
    bodyLimitBytes: Type.Integer({
      minimum: 1024,
      default: 65536,
      description: 'Largest request body accepted.',
    }),
    logLevel: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info', description: 'Log level.' },
    ),
    deleteWaitSeconds: Type.Integer({
      minimum: 0,
      maximum: 60,
      default: 10,
      description: 'How long DELETE waits for the rules and the Service to be gone before answering 202.',
    }),
    watchHeartbeatSeconds: Type.Integer({
      minimum: 1,
      maximum: 300,
      default: 15,
      description:
        'A watch stream with nothing to send for this long gets a heartbeat comment, so that proxies and load balancers that cut idle connections keep it: keep it below their idle timeouts.',
    }),
    watchStreamsPerCaller: Type.Integer({
      minimum: 1,
      default: 20,
      description: 'Watch streams one caller (token subject) may hold open on one replica; beyond, 429.',
    }),
    watchStreamsMax: Type.Integer({
      minimum: 1,
      default: 2000,
      description: 'Watch streams one replica holds open in all; beyond, 429.',
    }),
    watchSlowReaderSeconds: Type.Integer({
      minimum: 1,
      default: 30,
      description:
        'A watch stream whose client has not taken what was sent for this long is cut (it keeps only the latest event meanwhile); the client resumes with Last-Event-ID.',
    }),
    tls: Type.Optional(TlsSettings),
    // Timeouts and connection limits: see the README's security section for how they fit.
    trustProxy: Type.Union(
      [Type.Boolean(), Type.Integer({ minimum: 1 }), Type.Array(Type.String({ minLength: 1 }))],
      {
        default: false,
        description:
          'Whose X-Forwarded-For to believe for the client address (failed-authentication limit, logs): false (the peer is the client), true (any), a number of proxy hops, or the addresses/CIDRs of the load balancers.',
      },
    ),
    requestTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 30000,
      description:
        'Time to receive a whole request, headers and body, before answering 408 (a slow body is cut off). Not the time to answer it: a long Prefer: wait or a streamed answer is not cut.',
    }),
    headersTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 10000,
      description: "Time to receive a request's headers (at most requestTimeoutMs).",
    }),
    connectionsCheckingIntervalMs: Type.Integer({
      minimum: 100,
      default: 1000,
      description: 'How often the two timeouts above are checked, so a request is cut at most this late.',
    }),
    keepAliveTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 72000,
      description:
        "How long an idle keep-alive connection stays open: longer than a load balancer's idle timeout (behind a GCE HTTP(S) load balancer, over 600000, with connectionTimeoutMs above it), shorter than connectionTimeoutMs.",
    }),
    connectionTimeoutMs: Type.Integer({
      minimum: (MAX_WAIT_SECONDS + 1) * 1000,
      default: 120000,
      description: `A connection with no traffic either way for this long is closed; longer than the longest Prefer: wait (${MAX_WAIT_SECONDS} s), and than the heartbeat of a streamed answer.`,
    }),
    maxConnectionsPerAddress: Type.Integer({
      minimum: 1,
      default: 128,
      description:
        "Open connections one client address may hold; more are refused (429). Counted on the TCP peer, so behind a proxy that doesn't keep client addresses it is per proxy address: raise it there.",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const RateLimitSettings = Type.Object(
  {
    reads: RateLimit('Reads (GET) per caller (token subject)', 2000, 10),
    writes: RateLimit('Writes (POST, PATCH, DELETE) per caller (token subject)', 120, 60),
    failedAuthentication: RateLimit(
      'Requests with a missing or unknown token per client address; beyond it the address gets 429 on every authenticated route until the window ends, even with a valid token',
      20,
      60,
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Fixed-window limits kept in memory by each replica: with N replicas, a caller may get up to N times these.',
  },
);
