// The package's public surface: start an emulator, and the fault injector it uses (exported so
// that a test can find the seed that produces the failure sequence it needs).
export {
  type ComputeEmulator,
  type ComputeEmulatorOptions,
  type ComputeFaults,
  type RecordedRequest,
  startComputeEmulator,
} from './compute-emulator.ts';
export { type FaultDecision, FaultInjector } from './faults.ts';
