// Progress messages of the control-plane toolchain (a first build takes minutes), on stderr.

export function log(message: string): void {
  process.stderr.write(`exposure-api test control plane: ${message}\n`);
}
