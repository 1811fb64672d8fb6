// The one line `gatehouse serve` (npm start) and `npm run demo` print when a port cannot be listened on.

/** Which setting chooses a port, e.g. [[4444, 'GATEHOUSE_PORT'], [4445, 'GATEHOUSE_ADMIN_PORT']]. */
export type PortSettings = Array<[port: number, setting: string]>;

/** A port that is taken or not allowed is a setting to change, not a fault: say which one. Undefined for any other error. */
export function listenErrorMessage(error: unknown, settings: PortSettings): string | undefined {
  const { code, port, address } = (error ?? {}) as { code?: string; port?: number; address?: string };
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return undefined;
  const setting = settings.find(([p]) => p === port)?.[1] ?? 'the port settings';
  const problem = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges this process does not have' : 'is not an address of this machine';
  return `cannot listen on ${address ?? 'host'}:${port ?? '?'}: it ${problem}; change ${setting}`;
}
