// Kubeconfig files for the control plane, one per identity or token.

export function kubeconfig(options: {
  server: string;
  caData: string;
  user: string;
  token: string;
  namespace?: string;
}) {
  // JSON is valid YAML, and every kubeconfig reader (kubectl, client-go, @kubernetes/client-node) accepts it.
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'exposure-api-test',
          cluster: {
            server: options.server,
            'certificate-authority-data': Buffer.from(options.caData).toString('base64'),
          },
        },
      ],
      users: [{ name: options.user, user: { token: options.token } }],
      contexts: [
        {
          name: options.user,
          context: {
            cluster: 'exposure-api-test',
            user: options.user,
            namespace: options.namespace ?? 'default',
          },
        },
      ],
      'current-context': options.user,
    },
    null,
    2,
  )}\n`;
}
