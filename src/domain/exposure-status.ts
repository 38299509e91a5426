// The status vocabulary of an exposure, as the API reports it: a phase, and conditions that follow
// the Kubernetes conventions (a CamelCase `reason`, a human `message`, when the status last changed
// and for which generation of the spec).

export type Phase = 'Provisioning' | 'Ready' | 'Degraded' | 'Failed' | 'Deleting';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}
