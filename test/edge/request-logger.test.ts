// A request's logger is made when the request first logs through it; its access line does not make it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { logRequestLine, RequestLogger } from '../../src/edge/request-logger.ts';
import { logLines } from '../support/log-lines.ts';

function countingParent() {
  const { lines, destination } = logLines();
  const parent = pino({ base: null, timestamp: false }, destination);
  let children = 0;
  const child = parent.child.bind(parent);
  parent.child = ((bindings, options) => {
    children++;
    return child(bindings, options);
  }) as typeof parent.child;
  return { parent, lines, children: () => children };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('the access line is written by the parent with the bindings first; no child is made for it', async () => {
  const { parent, lines, children } = countingParent();
  const log = new RequestLogger(parent, { reqId: 'r-1' });
  logRequestLine(log, 'info', { res: { statusCode: 200 } }, 'request completed');
  await tick();
  assert.equal(children(), 0);
  assert.deepEqual(lines, [{ level: 30, reqId: 'r-1', res: { statusCode: 200 }, msg: 'request completed' }]);
});

test('the first line through the logger makes the child once; later lines, the access line too, go through it', async () => {
  const { parent, lines, children } = countingParent();
  const log = new RequestLogger(parent, { reqId: 'r-2' });
  assert.equal(log.level, 'info');
  log.warn({ detail: 'slow upstream' }, 'waiting');
  log.error('failed');
  logRequestLine(log, 'error', { res: { statusCode: 500 } }, 'request errored');
  await tick();
  assert.equal(children(), 1);
  assert.deepEqual(lines, [
    { level: 40, reqId: 'r-2', detail: 'slow upstream', msg: 'waiting' },
    { level: 50, reqId: 'r-2', msg: 'failed' },
    { level: 50, reqId: 'r-2', res: { statusCode: 500 }, msg: 'request errored' },
  ]);
  log.level = 'error';
  log.info('dropped');
  await tick();
  assert.equal(lines.length, 3, 'a level set on the request logger holds for its lines');
  assert.equal(parent.level, 'info', 'and not for its parent');
});
