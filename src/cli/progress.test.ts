// Proves that the progress of a long command, written as plain lines (a log, a CI job), shows a
// step without figures at once on a line of its own, after the last figures, and nothing of the
// figures after it; and that --json shows nothing.
import { describe, expect, it, vi } from 'vitest';
import { loadStageTexts, startProgress } from './progress.ts';

/** A stream that is not a terminal and keeps what is written to it. */
function recorder(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  const written: string[] = [];
  const stream = { isTTY: false, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, lines: () => written.join('').split('\n').filter(Boolean) };
}

describe('startProgress, plain lines', () => {
  it('writes the last figures, then the step, then nothing more of the figures', () => {
    const { stream, lines } = recorder();
    const progress = startProgress({ label: 'seeding', unit: 'companies', total: 1_000, stream });
    progress.update(1_000);
    progress.stage(loadStageTexts.indexes);
    progress.update(1_000);
    progress.stage(loadStageTexts.statistics);
    progress.stop();
    expect(lines()).toHaveLength(3);
    expect(lines()[0]).toMatch(/^seeding: 1,000\/1,000 companies \(100%\)/);
    expect(lines().slice(1)).toEqual([`seeding: ${loadStageTexts.indexes}`, `seeding: ${loadStageTexts.statistics}`]);
  });

  it('does not write the last figures twice when they were just shown', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { stream, lines } = recorder();
      const progress = startProgress({ label: 'seeding', unit: 'companies', total: 10, stream });
      // Past the interval of plain lines, the update itself writes its line.
      vi.advanceTimersByTime(5_100);
      progress.update(10);
      progress.stage(loadStageTexts.indexes);
      expect(lines()).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows nothing with --json', () => {
    const { stream, lines } = recorder();
    const progress = startProgress({ json: true, label: 'seeding', unit: 'companies', total: 10, stream });
    progress.update(10);
    progress.stage(loadStageTexts.indexes);
    progress.stop();
    expect(lines()).toEqual([]);
  });
});
