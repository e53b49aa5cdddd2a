// ECharts with only the parts the dashboard draws (map, scatter, line, bar), to keep the bundle small.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, ScatterChart, CustomChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  ScatterChart,
  CustomChart,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };

/** A chart in `el` that follows the element's size and is disposed with the page. */
export function chartIn(el: HTMLElement): { chart: echarts.ECharts; dispose: () => void } {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const ro = new ResizeObserver(() => chart.resize());
  ro.observe(el);
  return { chart, dispose: () => (ro.disconnect(), chart.dispose()) };
}

export const STATUS_COLOURS: Record<string, string> = {
  online: '#2e9d57',
  recovering: '#7cb342',
  suspect: '#f0a30a',
  flapping: '#e67e22',
  offline: '#d64541',
  unknown: '#8a94a6',
};
