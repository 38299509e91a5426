// The Firewalls port's contract, run against the GCE adapter on the Compute emulator.

import { emulatedGce } from '../support/emulated-gce.ts';
import { firewallsContract } from './firewalls.contract.ts';

firewallsContract('GCE adapter on the Compute emulator', () => emulatedGce());
