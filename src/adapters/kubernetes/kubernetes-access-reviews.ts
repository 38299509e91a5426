// The AccessReviews port on the apiserver: TokenReview (authentication.k8s.io/v1) and
// SubjectAccessReview (authorization.k8s.io/v1), as the service's own identity (which needs the
// system:auth-delegator ClusterRole, as an aggregated API server does). Each call is reported
// as an upstream call, so tests and metrics can count them.
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  AccessReviewSubject,
  AccessReviews,
  ResourceAttributes,
  TokenReviewOutcome,
} from '../../application/ports/access-reviews.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import { callKubernetes, createKubernetesApis, type KubernetesApiOptions } from './kubernetes-api.ts';

export interface KubernetesAccessReviewsOptions extends KubernetesApiOptions {
  kubeConfig: KubeConfig;
  recorder?: UpstreamCallRecorder;
}

/** The adapter, plus `close` to release its connections. */
export interface KubernetesAccessReviews extends AccessReviews {
  close(): Promise<void>;
}

export function createKubernetesAccessReviews(
  options: KubernetesAccessReviewsOptions,
): KubernetesAccessReviews {
  const apis = createKubernetesApis(options.kubeConfig, { callTimeoutMs: 10_000, ...options });
  const recorder = options.recorder ?? ignoreUpstreamCalls;
  return {
    async reviewToken(token: string, audiences: readonly string[]): Promise<TokenReviewOutcome> {
      const review = await callKubernetes(recorder, 'tokenreviews.create', () =>
        apis.authentication.createTokenReview({
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, audiences: [...audiences] },
          },
        }),
      );
      const status = review.status ?? {};
      const user = status.user;
      return {
        authenticated: status.authenticated === true,
        ...(user?.username !== undefined && {
          user: {
            username: user.username,
            groups: user.groups ?? [],
            ...(user.uid !== undefined && { uid: user.uid }),
          },
        }),
        audiences: status.audiences ?? [],
        ...(status.error !== undefined && { error: status.error }),
      };
    },
    async reviewAccess(subject: AccessReviewSubject, attributes: ResourceAttributes): Promise<boolean> {
      const review = await callKubernetes(recorder, 'subjectaccessreviews.create', () =>
        apis.authorization.createSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: { user: subject.user, groups: [...subject.groups], resourceAttributes: { ...attributes } },
          },
        }),
      );
      return review.status?.allowed === true && review.status.denied !== true;
    },
    close: () => apis.close(),
  };
}
