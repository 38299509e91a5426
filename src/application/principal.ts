// Who is calling, and which namespaces they may use.

export interface Principal {
  subject: string;
  /** Namespaces the caller may use; `*` means all. */
  namespaces: readonly string[];
}

export function mayUseNamespace(principal: Principal, namespace: string): boolean {
  return principal.namespaces.includes('*') || principal.namespaces.includes(namespace);
}
