import { useMemo } from 'react';
import { EChart } from './EChart';

export type AreaSeries = { name: string; color: string; values: number[] };

/** Figures of the children of a node as grouped (or stacked: parts of one whole) horizontal bars, one row per child, clickable to drill in. */
export function AreaBars({
  names,
  series,
  percent,
  stack,
  onClick,
}: {
  names: string[];
  series: AreaSeries[];
  percent?: boolean;
  stack?: boolean;
  onClick?: (index: number) => void;
}) {
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 40, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: number) => (percent ? `${v}%` : String(v)),
      },
      xAxis: { type: 'value', minInterval: 1, ...(percent ? { max: 100, axisLabel: { formatter: '{value}%' } } : {}) },
      yAxis: { type: 'category', inverse: true, data: names, axisLabel: { width: 110, overflow: 'truncate' } },
      series: series.map((s) => ({
        type: 'bar',
        name: s.name,
        data: s.values,
        barMaxWidth: 14,
        itemStyle: { color: s.color },
        cursor: onClick ? 'pointer' : 'default',
        ...(stack ? { stack: 'all' } : {}),
      })),
    }),
    [names, series, percent, stack, onClick],
  );
  const rowsPerChild = stack ? 1 : Math.max(1, series.length / 1.5);
  return (
    <EChart
      option={option}
      height={Math.max(140, names.length * 26 * rowsPerChild + 40)}
      onClick={onClick ? (p) => onClick(p.dataIndex) : undefined}
    />
  );
}
