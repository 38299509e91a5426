// Reads what kube-apiserver's quota admission says when it refuses a write. The message is the only
// place the figures are (the Status has no structured details for it); its shape is fixed by
// k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go:
//   exceeded quota: <name>, requested: <r>=<q>[,...], used: <r>=<q>[,...], limited: <r>=<q>[,...]
// with resource names sorted and quantities in Kubernetes' canonical form.
import type { QuotaFigures, QuotaRefusal } from '../../application/ports/cluster.ts';

const EXCEEDED =
  /exceeded quota: ([^,\s]+), requested: ([^\s,]+(?:,[^\s,]+)*), used: ([^\s,]*(?:,[^\s,]+)*), limited: ([^\s,]+(?:,[^\s,]+)*)/;

export function parseQuotaRefusal(message: string): QuotaRefusal | undefined {
  const match = EXCEEDED.exec(message);
  if (!match?.[1]) return undefined;
  const requested = resourceList(match[2] ?? '');
  const used = resourceList(match[3] ?? '');
  const limited = resourceList(match[4] ?? '');
  const exceeded: QuotaFigures[] = [];
  for (const [resource, limit] of limited) {
    const wanted = requested.get(resource);
    // Figures that are not whole numbers (CPU in millicores, say) are left out; the name stays.
    if (wanted === undefined || limit === undefined) continue;
    exceeded.push({ resource, requested: wanted, used: used.get(resource) ?? 0, limit });
  }
  return { name: match[1], exceeded };
}

/** `a=1,b=2k` → a: 1, b: 2000; a quantity that is not a whole number maps to undefined. */
function resourceList(text: string): Map<string, number | undefined> {
  const list = new Map<string, number | undefined>();
  for (const part of text.split(',')) {
    const equals = part.lastIndexOf('=');
    if (equals <= 0) continue;
    list.set(part.slice(0, equals), wholeQuantity(part.slice(equals + 1)));
  }
  return list;
}

const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity (`2`, `1k`, `4Ki`) as a whole number, or undefined (`500m`, `1e3`). */
export function wholeQuantity(text: string): number | undefined {
  const match = /^(\d+)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? Number.NaN);
  return Number.isSafeInteger(value) ? value : undefined;
}
