// The installation's own quotas: exposures and node ports per namespace and per subject, firewall
// rules in total. Enforced with, not instead of, the namespaces' ResourceQuotas.
import { Type } from 'typebox';

export const InstallationLimitsSettings = Type.Object(
  {
    perNamespace: Type.Object(
      {
        exposures: Type.Integer({
          minimum: 0,
          default: 100,
          description: 'Exposures one namespace may have; 0: unlimited.',
        }),
        nodePorts: Type.Integer({
          minimum: 0,
          default: 200,
          description: 'Node ports the exposures of one namespace may hold; 0: unlimited.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    perSubject: Type.Object(
      {
        exposures: Type.Integer({
          minimum: 0,
          default: 200,
          description: 'Exposures one authenticated subject may have created; 0: unlimited.',
        }),
        nodePorts: Type.Integer({
          minimum: 0,
          default: 400,
          description: 'Node ports the exposures one subject created may hold; 0: unlimited.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    installation: Type.Object(
      {
        firewallRules: Type.Integer({
          minimum: 0,
          default: 500,
          description:
            "Firewall rules this installation may own in the GCE project (one per exposure and IP family); keep it below the project's firewall-rule quota minus what else the project needs; 0: unlimited.",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    recountSeconds: Type.Integer({
      minimum: 5,
      default: 60,
      description:
        'How often the leader recounts the usage from the Services, so that a crash cannot leave usage counted.',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      "The installation's own quotas, held across replicas in the ConfigMap `exposure-api-<cluster.id>-usage` of the service's namespace. Enforced with, not instead of, the namespaces' ResourceQuotas.",
  },
);
