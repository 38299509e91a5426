// Backstage's test utilities create their mocks with a global `jest.fn()` (createMockActionContext's
// `output`, mockServices.*.mock()). These tests run on node:test, so `jest.fn` is provided on top of
// node:test's mock functions, with the few methods those utilities call. Import it first.
import { mock } from 'node:test';

type Implementation = (...args: never[]) => unknown;

function fn(implementation: Implementation = () => undefined) {
  const mocked = Object.assign(mock.fn(implementation), {
    mockImplementation(next: Implementation) {
      mocked.mock.mockImplementation(next);
      return mocked;
    },
    mockReturnValue: (value: unknown) => mocked.mockImplementation(() => value),
    mockResolvedValue: (value: unknown) => mocked.mockImplementation(async () => value),
    mockRejectedValue: (error: unknown) =>
      mocked.mockImplementation(async () => {
        throw error;
      }),
  });
  return mocked;
}

const global = globalThis as { jest?: { fn: typeof fn } };
global.jest ??= { fn };
