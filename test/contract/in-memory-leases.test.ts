import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';
import { leasesContract } from './leases.contract.ts';

leasesContract('in-memory', async () => ({
  leases: new InMemoryLeases(),
  namespace: 'default',
  close: async () => {},
}));
