export interface Config {
  /** How the Backstage backend reaches exposure-api. */
  exposureApi?: {
    /** Where exposure-api answers, e.g. http://exposure-api.exposure-api.svc:8080 */
    baseUrl: string;
    /** Where people reach exposure-api, for links shown in Backstage; defaults to baseUrl. */
    externalUrl?: string;
    /**
     * A bearer token exposure-api knows. Set this or tokenFile.
     * @visibility secret
     */
    token?: string;
    /**
     * A file holding the token, read for every request: a projected ServiceAccount token the kubelet
     * rotates. Set this or token.
     */
    tokenFile?: string;
    /**
     * Call exposure-api on behalf of the Backstage user (Impersonate-User, Impersonate-Group), so
     * that the service applies that user's rights. Default false: calls carry the token's rights.
     */
    impersonate?: boolean;
    /**
     * Which catalog owners may show and manage the exposures of each Kubernetes namespace: an
     * entity's backstage.io/kubernetes-namespace annotation counts only if its owner is listed here.
     */
    namespaces?: Array<{
      /** The Kubernetes namespace. */
      name: string;
      /** Owner references, e.g. group:default/search. */
      owners: string[];
    }>;
  };
}
