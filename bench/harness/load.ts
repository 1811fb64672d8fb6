// One timed autocannon run against one server: throughput, latency percentiles, errors, and the server
// process's CPU time over the run.
import autocannon from 'autocannon';

export interface LoadOptions {
  /** Base URL (http://127.0.0.1:port). */
  url: string;
  requests: autocannon.Request[];
  connections: number;
  durationSeconds: number;
  /** Stop after this many responses, if that comes before the duration (pre-minted inputs). */
  amount?: number;
  /** A 2xx response whose body fails this is counted as invalid. */
  check?: (body: string) => boolean;
  /** The server's CPU seconds so far (from /proc), to report CPU use over the run. */
  serverCpuSeconds?: () => number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Responses per second over the run. */
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** 2xx answers whose body was not what the row expects (no token, inactive token). */
  invalid: number;
  /** The run stopped at `amount` (its pre-minted inputs ran out) before the duration. */
  stoppedAtCount: boolean;
  /** Server CPU seconds used over the run, and CPU milliseconds per request. */
  serverCpuSeconds?: number;
  serverCpuMsPerRequest?: number;
}

export function failures(result: LoadResult): number {
  return result.non2xx + result.errors + result.invalid;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let invalid = 0;
  const check = options.check;
  const requests = options.requests.map((request) => {
    if (check === undefined) return request;
    const inner = request.onResponse;
    return {
      ...request,
      onResponse(status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) {
        if (status >= 200 && status < 300 && !check(body)) invalid++;
        inner?.(status, body, context, headers);
      },
    };
  });
  const connections = options.amount !== undefined ? Math.max(1, Math.min(options.connections, options.amount)) : options.connections;
  const cpuBefore = options.serverCpuSeconds?.();
  const started = process.hrtime.bigint();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: options.url,
      connections,
      pipelining: 1,
      timeout: 10,
      // autocannon notices the end of a run (duration, count, stop()) at its next sample tick: tick often, so a
      // run that ran out of inputs is not padded with up to a second of idle time.
      sampleInt: 100,
      requests,
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds }),
    }, (error, value) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value);
    });
    // With `amount`, autocannon has no time limit of its own.
    const timer = setTimeout(() => instance.stop(), options.durationSeconds * 1000 + (options.amount !== undefined ? 0 : 5000));
  });

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = options.serverCpuSeconds?.();
  const total = result['2xx'] + result.non2xx;
  const serverCpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return {
    requests: total,
    seconds,
    rps: total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors, // autocannon counts timeouts among errors
    invalid,
    stoppedAtCount: options.amount !== undefined && total >= options.amount && seconds < options.durationSeconds - 0.05,
    ...(serverCpu !== undefined ? { serverCpuSeconds: serverCpu, serverCpuMsPerRequest: total > 0 ? (serverCpu * 1000) / total : 0 } : {}),
  };
}
