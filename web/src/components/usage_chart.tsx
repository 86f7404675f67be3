// Credits used per day of the billing period, stacked by channel (web app, API, website visits):
// a small hand-made SVG bar chart, with the same figures in a table for screen readers and for
// anyone who wants the exact numbers.
import { formatCredits } from '../format.ts';
import type { LedgerEntry } from '../types.ts';

export const usageChannels = [
  { channel: 'web', label: 'Web app', className: 'series-web' },
  { channel: 'api', label: 'API', className: 'series-api' },
  { channel: 'visit', label: 'Website visits', className: 'series-visit' },
] as const;

type Channel = (typeof usageChannels)[number]['channel'];

export interface UsageDay {
  day: string;
  credits: Record<Channel, number>;
}

/** Each UTC day from `start` to `end` (inclusive of the day `end` falls in), with its charges by channel. */
export function usageByDay(charges: LedgerEntry[], start: string, end: string): UsageDay[] {
  const days: UsageDay[] = [];
  const index = new Map<string, UsageDay>();
  const last = new Date(end);
  for (let day = new Date(start.slice(0, 10)); day <= last; day = new Date(day.getTime() + 86_400_000)) {
    const key = day.toISOString().slice(0, 10);
    const entry = { day: key, credits: { web: 0, api: 0, visit: 0 } };
    days.push(entry);
    index.set(key, entry);
  }
  for (const charge of charges) {
    if (charge.kind !== 'charge') continue;
    const day = index.get(charge.at.slice(0, 10));
    if (!day) continue;
    if (charge.channel === 'web' || charge.channel === 'api' || charge.channel === 'visit') day.credits[charge.channel] += -charge.credits;
  }
  return days;
}

const width = 720;
const height = 220;
const margin = { top: 12, right: 12, bottom: 28, left: 40 };

/** A round axis maximum at or above `value` (1, 2, 5 × 10^n). */
function niceMaximum(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function UsageChart({ days }: { days: UsageDay[] }) {
  const totals = days.map((day) => day.credits.web + day.credits.api + day.credits.visit);
  const maximum = niceMaximum(Math.max(0, ...totals));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (credits: number) => margin.top + plotHeight - (credits / maximum) * plotHeight;
  const ticks = [0, maximum / 2, maximum];
  const labelEvery = Math.ceil(days.length / 8);
  const total = totals.reduce((sum, value) => sum + value, 0);

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Credits used per day this period: ${formatCredits(total)} in total`}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="grid" x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} />
            <text className="axis-label" x={margin.left - 6} y={y(tick) + 4} textAnchor="end">
              {formatCredits(tick)}
            </text>
          </g>
        ))}
        {days.map((day, dayIndex) => {
          const x = margin.left + dayIndex * slot + (slot - barWidth) / 2;
          let stacked = 0;
          return (
            <g key={day.day}>
              {usageChannels.map(({ channel, className }) => {
                const credits = day.credits[channel];
                if (credits === 0) return null;
                const top = y(stacked + credits);
                const bottom = y(stacked);
                stacked += credits;
                return <rect key={channel} className={className} x={x} y={top} width={barWidth} height={Math.max(1, bottom - top)} />;
              })}
              {dayIndex % labelEvery === 0 && (
                <text className="axis-label" x={x + barWidth / 2} y={height - 8} textAnchor="middle">
                  {day.day.slice(8, 10)}/{day.day.slice(5, 7)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {usageChannels.map(({ channel, label, className }) => (
          <span key={channel}>
            <span className={`swatch ${className}`} aria-hidden="true" /> {label}
          </span>
        ))}
      </figcaption>
      <details className="chart-table">
        <summary>Show the figures as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              {usageChannels.map(({ channel, label }) => (
                <th scope="col" key={channel} className="number">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days
              .filter((day) => day.credits.web + day.credits.api + day.credits.visit > 0)
              .map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  {usageChannels.map(({ channel }) => (
                    <td key={channel} className="number">
                      {formatCredits(day.credits[channel])}
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
