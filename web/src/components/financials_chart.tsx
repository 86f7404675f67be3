// Revenue per year as bars, with employees in the table beside it: a hand-made SVG.
import { formatCompact } from '../format.ts';
import type { Financial } from '../types.ts';

const width = 360;
const height = 190;
const margin = { top: 16, right: 8, bottom: 26, left: 48 };

export function FinancialsChart({ financials }: { financials: Financial[] }) {
  const years = [...financials].sort((left, right) => left.year - right.year);
  const maximum = Math.max(1, ...years.map((year) => year.revenue_usd ?? 0));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / years.length;
  const barWidth = Math.min(48, slot * 0.6);
  const y = (value: number) => margin.top + plotHeight - (value / maximum) * plotHeight;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Revenue per year, ${years[0]?.year} to ${years.at(-1)?.year}`}>
        {[0, maximum / 2, maximum].map((tick) => (
          <g key={tick}>
            <line className="grid" x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} />
            <text className="axis-label" x={margin.left - 6} y={y(tick) + 4} textAnchor="end">
              ${formatCompact(tick)}
            </text>
          </g>
        ))}
        {years.map((year, index) => {
          const x = margin.left + index * slot + (slot - barWidth) / 2;
          const revenue = year.revenue_usd ?? 0;
          return (
            <g key={year.year}>
              <rect className="series-revenue" x={x} y={y(revenue)} width={barWidth} height={Math.max(1, y(0) - y(revenue))} />
              <text className="axis-label" x={x + barWidth / 2} y={height - 8} textAnchor="middle">
                {year.year}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="compact">
        <caption className="visually-hidden">Revenue and employees per year</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            <th scope="col" className="number">
              Revenue (USD)
            </th>
            <th scope="col" className="number">
              Employees
            </th>
          </tr>
        </thead>
        <tbody>
          {years.map((year) => (
            <tr key={year.year}>
              <th scope="row">{year.year}</th>
              <td className="number">{year.revenue_usd === null ? '—' : formatCompact(year.revenue_usd)}</td>
              <td className="number">{year.employees?.toLocaleString('en-US') ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
