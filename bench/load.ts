// Load generation: autocannon in this process against a server process on 127.0.0.1, each request
// built by the caller (path, method, headers, body). Latencies
// and throughput are computed here from every response (autocannon's own histogram rounds to
// whole milliseconds, and its duration includes up to a second of idle time after the last
// response of a count-bounded run).
import autocannon from 'autocannon';
import type { CpuUse } from './cpu.ts';

/** Latency samples kept per run; beyond this, responses are still counted. */
const latencySamplesMax = 2_000_000;

export interface NextRequest {
  path: string;
  /** GET when omitted. */
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The request's body (autocannon sets its Content-Length); none when omitted. */
  body?: string | Buffer;
}

export interface LoadOptions {
  origin: string;
  connections: number;
  /** Run for this long; or, with `requestsTotal`, until that many responses have come back. */
  durationSeconds?: number;
  /** Exactly this many requests (every one answered), bounded still by `deadlineSeconds`. */
  requestsTotal?: number;
  /** A hard stop for count-bounded runs; in-flight requests are then abandoned. */
  deadlineSeconds?: number;
  /** Called once for every request sent, in sending order. */
  next: () => NextRequest;
}

export interface LoadResult {
  responses: number;
  /** Responses with a 2xx status. */
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Requests built (and so sent): more than `responses` only when the run was cut short. */
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** True when a count-bounded run hit its deadline. */
  cutShort: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Float64Array(latencySamplesMax);
  const statuses: Record<string, number> = {};
  let responses = 0;
  let ok = 0;
  let sent = 0;
  let lastResponseAt = 0;
  let cutShort = false;
  const request: autocannon.Request = {
    method: 'GET',
    setupRequest: (base) => {
      const next = options.next();
      sent += 1;
      const built: autocannon.Request = { ...base, path: next.path, headers: { ...base.headers, ...next.headers } };
      if (next.method) built.method = next.method;
      if (next.body !== undefined) built.body = next.body;
      return built;
    },
  };
  const startedAt = performance.now();
  let finish: (result: autocannon.Result) => void = () => undefined;
  let failRun: (error: unknown) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    failRun = reject;
  });
  const instance = autocannon(
    {
      url: options.origin,
      connections: options.connections,
      pipelining: 1,
      ...(options.requestsTotal !== undefined ? { amount: options.requestsTotal } : { duration: options.durationSeconds ?? 1 }),
      requests: [request],
    },
    (error, result) => (error ? failRun(error) : finish(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (responses < latencySamplesMax) latencies[responses] = responseTime;
    responses += 1;
    if (statusCode >= 200 && statusCode < 300) ok += 1;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    lastResponseAt = performance.now();
  });
  const deadline = options.deadlineSeconds
    ? setTimeout(() => {
        cutShort = true;
        instance.stop();
      }, options.deadlineSeconds * 1000)
    : undefined;
  const result = await finished;
  clearTimeout(deadline);
  const seconds = ((lastResponseAt || performance.now()) - startedAt) / 1000;
  const samples = latencies.subarray(0, Math.min(responses, latencySamplesMax)).sort();
  return {
    responses,
    ok,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    sent,
    seconds,
    requestsPerSecond: responses / seconds,
    p50Ms: percentile(samples, 0.5),
    p99Ms: percentile(samples, 0.99),
    cutShort,
  };
}

/** The nearest-rank percentile of sorted samples; NaN when there are none. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

/** Cycles through `paths` in order, shared by every connection. */
export function rotating(paths: readonly string[], headers?: Record<string, string>): () => NextRequest {
  let index = 0;
  return () => {
    const path = paths[index % paths.length]!;
    index += 1;
    return headers ? { path, headers } : { path };
  };
}

/** A load's figures with the CPU used meanwhile, as the reports print them. */
export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  cpu: CpuUse;
  /** Server CPU time per response, in microseconds. */
  serverCpuUsPerRequest: number;
  /** Database CPU time per response (PostgreSQL's processes), in microseconds. */
  databaseCpuUsPerRequest: number | undefined;
}

export function loadFigures(result: LoadResult, cpu: CpuUse): LoadFigures {
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    responses: result.responses,
    ok: result.ok,
    statuses: result.statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.seconds,
    cpu,
    serverCpuUsPerRequest: (cpu.serverCpuSeconds * 1e6) / Math.max(1, result.responses),
    databaseCpuUsPerRequest:
      cpu.databaseCores === undefined ? undefined : (cpu.databaseCores * cpu.seconds * 1e6) / Math.max(1, result.responses),
  };
}
