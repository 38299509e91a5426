// The direction of the arrows between the layers of src/ (docs/architecture.md), checked by
// dependency-cruiser in `npm run lint`. Type-only imports count: a type is a dependency too.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'The domain is pure: it imports nothing of the service outside src/domain/ (libraries and node: modules are fine). What it needs, it declares; the others import it.',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/', dependencyTypesNot: ['npm', 'core'] },
    },
    {
      name: 'schemas-describe-the-contract',
      severity: 'error',
      comment:
        'The HTTP contract (src/schemas) is built from the domain’s rules and TypeBox only, so that the edge and the application can both use its types.',
      from: { path: '^src/schemas/' },
      to: { pathNot: ['^src/schemas/', '^src/domain/'], dependencyTypesNot: ['npm', 'core'] },
    },
    {
      name: 'application-uses-ports',
      severity: 'error',
      comment:
        'The application reaches the world through the ports it owns; it never imports the edge, the adapters, the sandbox, the configuration or the composition root.',
      from: { path: '^src/application/' },
      to: { path: ['^src/(edge|adapters|sandbox|config|cli)/', '^src/[^/]+\\.ts$'] },
    },
    {
      name: 'edge-is-http-only',
      severity: 'error',
      comment:
        'The edge maps HTTP to the application and back: it depends on ports, never on adapters, the sandbox or the composition root (runtime.ts, server.ts, openapi-document.ts).',
      from: { path: '^src/edge/' },
      to: { path: ['^src/adapters/', '^src/sandbox/', '^src/(runtime|server|openapi-document)\\.ts$'] },
    },
    {
      name: 'sandbox-is-a-leaf',
      severity: 'error',
      comment:
        'Nothing of the service depends on the sandbox; only its entry (src/sandbox/sandbox.ts) may be started from elsewhere.',
      from: { path: '^src/', pathNot: '^src/sandbox/' },
      to: { path: '^src/sandbox/', pathNot: '^src/sandbox/sandbox\\.ts$' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved would escape every rule above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // typebox and others publish ES modules through package.json `exports` only.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
