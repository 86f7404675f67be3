// Progress of a long command (seed, import) on stderr, so stdout carries only the result: a bar
// on a terminal, a plain line every few seconds otherwise (a log, a CI job), nothing with --json.
import cliProgress from 'cli-progress';
import type { LoadStage } from '../app/catalog/seed_catalog.ts';

/** Without a terminal, one line this often. */
const plainLineIntervalMs = 5_000;
/** The rate and the time left are taken over about this many recent updates. */
const etaUpdates = 50;

export interface Progress {
  /** `done` out of the total (in the total's unit); `detail` is shown after the figures. */
  update(done: number, detail?: string): void;
  /**
   * The counted part is over and `text` (a step without figures, such as building indexes)
   * begins: shown at once, on a line of its own; later updates are not shown.
   */
  stage(text: string): void;
  /** Shows the final state and stops. */
  stop(): void;
}

export interface ProgressOptions {
  json?: boolean;
  /** What is being done: "seeding". */
  label: string;
  /** What is counted: "companies", "bytes". */
  unit: string;
  /** Null when unknown (standard input): only the count is shown. */
  total: number | null;
  stream?: NodeJS.WriteStream;
}

export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.json) return { update: () => undefined, stage: () => undefined, stop: () => undefined };
  return stream.isTTY ? terminalBar(options, stream) : plainLines(options, stream);
}

function terminalBar(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const figures = options.total === null ? '{value} {unit}' : '[{bar}] {percentage}% | {value}/{total} {unit} | {rate} {unit}/s | {eta_formatted} left';
  const bar = new cliProgress.SingleBar(
    { stream, format: `${options.label} ${figures}{detail}`, hideCursor: true, etaBuffer: etaUpdates, etaAsynchronousUpdate: true },
    cliProgress.Presets.shades_classic,
  );
  const rate = new RateMeter();
  bar.start(options.total ?? 0, 0, { unit: options.unit, rate: '0', detail: '' });
  let barShown = true;
  const stopBar = (): void => {
    if (barShown) bar.stop();
    barShown = false;
  };
  return {
    update: (done, detail) => {
      if (barShown) bar.update(done, { rate: formatCount(rate.at(done)), detail: detail ? ` | ${detail}` : '' });
    },
    stage: (text) => {
      stopBar();
      stream.write(`${options.label}: ${text}\n`);
    },
    stop: stopBar,
  };
}

function plainLines(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const rate = new RateMeter();
  let lastLineAt = performance.now();
  let last = { done: 0, detail: undefined as string | undefined };
  /** What the last line showed: the final line is not written twice. */
  let shown = { done: -1, detail: undefined as string | undefined };
  const write = (): void => {
    const perSecond = rate.at(last.done);
    const total = options.total;
    const share = total ? ` (${Math.floor((last.done / total) * 100)}%)` : '';
    const left = total && perSecond > 0 ? `, about ${Math.ceil((total - last.done) / perSecond)} s left` : '';
    const outOf = total === null ? '' : `/${formatCount(total)}`;
    const detail = last.detail ? `; ${last.detail}` : '';
    stream.write(`${options.label}: ${formatCount(last.done)}${outOf} ${options.unit}${share}, ${formatCount(perSecond)} ${options.unit}/s${left}${detail}\n`);
    lastLineAt = performance.now();
    shown = last;
  };
  const writeFinal = (): void => {
    if (last.done > 0 && (last.done !== shown.done || last.detail !== shown.detail)) write();
  };
  let staged = false;
  return {
    update: (done, detail) => {
      if (staged) return;
      last = { done, detail };
      if (performance.now() - lastLineAt >= plainLineIntervalMs) write();
    },
    stage: (text) => {
      if (!staged) writeFinal();
      staged = true;
      stream.write(`${options.label}: ${text}\n`);
    },
    stop: () => {
      if (!staged) writeFinal();
    },
  };
}

/** Units per second since the start. */
class RateMeter {
  readonly #startedAt = performance.now();

  at(done: number): number {
    const seconds = (performance.now() - this.#startedAt) / 1_000;
    return seconds > 0 ? done / seconds : 0;
  }
}

/** What a catalog load's steps after its rows say on the progress line. */
export const loadStageTexts: Record<LoadStage, string> = {
  indexes: 'building the indexes (and on PostgreSQL the foreign keys) set aside for the load',
  statistics: "refreshing the planner's and the search's statistics",
};

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
