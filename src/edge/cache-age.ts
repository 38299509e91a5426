// How a read answered from caches that have lost their watch says so (docs: CACHE_AGE_HEADERS).
// The Warning code 110 is HTTP's own for "Response is Stale" (RFC 7234); the age in whole seconds
// goes in a header of its own and, for clients that read only the body, in `cacheAgeSeconds`.
import type { FastifyReply } from 'fastify';

/** Marks the answer stale when the caches said how old their data may be; returns that age. */
export function sayCacheAge(reply: FastifyReply, ageSeconds: number | undefined): number | undefined {
  if (ageSeconds === undefined) return undefined;
  reply.header('warning', '110 - "Response is Stale"').header('x-cache-age', String(ageSeconds));
  return ageSeconds;
}
