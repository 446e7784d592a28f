// Only the parts of ECharts the pages draw, so the lazily loaded chunk stays small.
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, LineChart, TreemapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  TreemapChart,
  FunnelChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);
export { echarts };
