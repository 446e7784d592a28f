import { useEffect, useRef, useState } from 'react';
import type { EChartsCoreOption, ECharts } from 'echarts/core';

export type ChartClick = { dataIndex: number; name: string };

/** A chart; ECharts itself is fetched the first time a chart is shown, not with the app. */
export function EChart({
  option,
  height,
  onClick,
}: {
  option: EChartsCoreOption;
  height: number;
  onClick?: (p: ChartClick) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    let live = true;
    let made: ECharts | null = null;
    const resize = new ResizeObserver(() => made?.resize());
    void import('./echarts').then(({ echarts }) => {
      if (!live || !el.current) return;
      made = echarts.init(el.current);
      made.on('click', (p) => click.current?.(p as unknown as ChartClick));
      resize.observe(el.current);
      setChart(made);
    });
    return () => {
      live = false;
      resize.disconnect();
      made?.dispose();
    };
  }, []);
  useEffect(() => {
    chart?.setOption(option, true);
  }, [chart, option]);
  return <div ref={el} style={{ width: '100%', height }} />;
}
