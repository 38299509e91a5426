// The Firewalls port's contract, run against the GCE adapter on the Compute emulator.

import { firewallsContract } from '../contract/firewalls.contract.ts';
import { emulatedGce } from './emulated-gce.ts';

firewallsContract('GCE adapter on the Compute emulator', () => emulatedGce());
