// Kizuna after-action report: draws the charts from the figures embedded in the page, with
// Apache ECharts (embedded above). SVG, no animation, so the page prints as drawn.
(function () {
  'use strict';
  var f = JSON.parse(document.getElementById('figures').textContent);
  var m = JSON.parse(document.getElementById('messages').textContent);
  var font = '"Noto Sans CJK JP", "Noto Sans", sans-serif';
  var teams = f.result.teams;
  function pick(rows, key) { return rows.map(function (r) { return r[key] === null ? 0 : r[key]; }); }
  var options = {
    metrics: {
      textStyle: { fontFamily: font }, animation: false, legend: { top: 0 }, tooltip: {},
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: pick(teams, 'team') }, yAxis: { type: 'value', max: 1 },
      series: ['recall', 'precision', 'detection_quality', 'score'].map(function (k) {
        return { type: 'bar', name: m[k], data: pick(teams, k) };
      })
    },
    graph: {
      textStyle: { fontFamily: font }, animation: false, tooltip: {},
      series: [{
        type: 'graph', layout: 'circular', symbolSize: 54, roam: false,
        label: { show: true, fontWeight: 'bold' }, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 10,
        lineStyle: { width: 2, curveness: 0.2 },
        edgeLabel: { show: true, formatter: function (p) { return p.data.label; } },
        data: f.graph.nodes.map(function (n) { return { name: n.nation || n.team }; }),
        links: f.graph.links.map(function (l) {
          return { source: l.from, target: l.to, label: m['met'] + ' ' + l.met + '/' + l.objectives + ', ' + m['used'] + ' ' + l.used };
        })
      }]
    }
  };
  var container = document.getElementById('timeline-charts');
  f.timelines.forEach(function (t) {
    if (t.steps.length === 0) return;
    var h = document.createElement('h3');
    h.textContent = t.team + ' (' + t.nation + ')';
    container.appendChild(h);
    var el = document.createElement('div');
    el.className = 'chart';
    el.setAttribute('data-chart', 'timeline-' + t.team);
    container.appendChild(el);
    var names = t.steps.map(function (s) { return s.step; });
    function points(get) {
      var out = [];
      t.steps.forEach(function (s) { get(s).forEach(function (at) { if (at) out.push([at, s.step]); }); });
      return out;
    }
    options['timeline-' + t.team] = {
      textStyle: { fontFamily: font }, animation: false, legend: { top: 0 }, tooltip: {},
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'time' }, yAxis: { type: 'category', data: names },
      series: [
        { type: 'scatter', name: m['timeline.step'], symbol: 'rect', symbolSize: 10,
          data: points(function (s) { return [s.start, s.end]; }) },
        { type: 'scatter', name: m['timeline.detected'], symbol: 'diamond', symbolSize: 14,
          data: points(function (s) { return [s.detected_at]; }) },
        { type: 'scatter', name: m['timeline.received'], symbol: 'triangle', symbolSize: 12,
          data: points(function (s) { return s.received.map(function (r) { return r.at; }); }) }
      ]
    };
  });
  document.querySelectorAll('.chart').forEach(function (el) {
    var o = options[el.getAttribute('data-chart')];
    var empty = !o || o.series.every(function (s) { return (s.data || []).length === 0; });
    if (empty) { el.style.display = 'none'; return; }
    var chart = echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(o);
    el.setAttribute('data-drawn', 'true');
  });
})();
