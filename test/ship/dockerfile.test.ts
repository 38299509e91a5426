// The Dockerfile cannot be built here (no Docker engine), so it is linted with a maintained
// Dockerfile linter and its runtime constraints are checked by reading it; the runtime behaviour
// itself (read-only root, non-root user, SIGTERM) is exercised in runtime-constraints.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { validate } from 'dockerfile-utils';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const instructions = dockerfile
  .split('\n')
  .filter((line) => line.trim() && !line.trim().startsWith('#'))
  .map((line) => line.trim());

test('the Dockerfile passes the linter without a warning', () => {
  const diagnostics = validate(dockerfile);
  assert.deepEqual(
    diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`),
    [],
  );
});

test('multi-stage: the build runs npm ci and the build; the runtime is distroless Node 24, non-root', () => {
  const stages = instructions.filter((line) => line.startsWith('FROM '));
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  assert.match(stages.at(-1) ?? '', /^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot$/);
  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1) as string));
  assert.ok(instructions.some((line) => /^RUN npm ci\b/.test(line)));
  assert.ok(instructions.some((line) => line === 'RUN npm run build'));
  assert.ok(runtime.includes('USER nonroot'));
  assert.deepEqual(
    runtime.filter((line) => line.startsWith('EXPOSE')),
    ['EXPOSE 8080'],
    'one exposed port',
  );
  assert.equal(
    runtime.filter((line) => line.startsWith('RUN')).length,
    0,
    'nothing runs (or writes) in the runtime stage',
  );
  assert.ok(
    runtime.some((line) => /COPY --from=dependencies/.test(line)),
    'production dependencies come from a stage that installed them with --omit=dev',
  );
  assert.ok(instructions.some((line) => /npm ci --omit=dev/.test(line)));
  assert.ok(runtime.includes('CMD ["dist/server.js"]'));
});

test('.dockerignore lets in only what the build needs', () => {
  const ignore = readFileSync('.dockerignore', 'utf8').split('\n');
  assert.ok(ignore.includes('**'), 'everything is ignored unless named');
  for (const needed of ['!package.json', '!package-lock.json', '!src/**', '!tsconfig.build.json']) {
    assert.ok(ignore.includes(needed), needed);
  }
});
