// charts.js: Apache ECharts for the pages that draw, kept out of app.js so the console's own
// JavaScript stays small. It exposes window.kizunaCharts. No HTML tooltips: only numbers and
// dates go in, rendered as canvas text.
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface DayCount {
  day: string;
  count: number;
}

function sightingsChart(el: HTMLElement, days: DayCount[], seriesName: string): () => void {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: days.map((d) => String(d.day)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: seriesName, type: 'line', data: days.map((d) => Number(d.count) || 0), areaStyle: {} }],
  });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    chart.dispose();
  };
}

(window as unknown as { kizunaCharts: unknown }).kizunaCharts = { sightingsChart };
