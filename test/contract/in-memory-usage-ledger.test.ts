import { InMemoryUsageLedger } from '../../src/sandbox/in-memory-usage-ledger.ts';
import { usageLedgerContract } from './usage-ledger.contract.ts';

usageLedgerContract('in-memory (sandbox)', async () => {
  let serial = 0;
  return {
    ledger: () => new InMemoryUsageLedger(`ledger-${++serial}`),
    overwrite: async (ledger, text) => (ledger as InMemoryUsageLedger).overwrite(text),
    close: async () => {},
  };
});
