// Kizuna brief: draws the charts of the page from the figures embedded in it, with Apache
// ECharts (embedded above). SVG, no animation, so the page prints as drawn.
(function () {
  'use strict';
  var f = JSON.parse(document.getElementById('figures').textContent);
  var m = JSON.parse(document.getElementById('messages').textContent);
  var font = '"Noto Sans CJK JP", "Noto Sans", sans-serif';
  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }
  function bar(names, series, horizontal) {
    var cat = { type: 'category', data: names, axisLabel: { interval: 0, hideOverlap: true } };
    var val = { type: 'value', minInterval: 1 };
    return {
      textStyle: { fontFamily: font }, animation: false, grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0 }, tooltip: {},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: series.map(function (s) { return { type: s.type || 'bar', name: s.name, data: s.data, label: { show: s.data.length <= 12, position: horizontal ? 'right' : 'top' } }; })
    };
  }
  function pie(rows, nameKey, valueKey, emptyName) {
    return {
      textStyle: { fontFamily: font }, animation: false, tooltip: {}, legend: { orient: 'vertical', left: 0 },
      series: [{ type: 'pie', radius: ['35%', '70%'], center: ['60%', '50%'], label: { formatter: '{b}: {c}' },
                 data: rows.map(function (r) { return { name: r[nameKey] || emptyName, value: r[valueKey] }; }) }]
    };
  }
  var dirs = f.by_direction.map(function (r) { return r.from + ' → ' + r.to; });
  var options = {
    direction: bar(dirs, [{ name: m['current'], data: pick(f.by_direction, 'current') },
                          { name: m['previous_value'], data: pick(f.by_direction, 'previous') }]),
    type: bar(pick(f.by_type, 'type'), [{ name: m['current'], data: pick(f.by_type, 'current') },
                                        { name: m['previous_value'], data: pick(f.by_type, 'previous') }], true),
    tlp: pie(f.by_tlp, 'tlp', 'objects', m['tlp.none']),
    week: bar(pick(f.by_week, 'week'), [{ name: m['objects'], data: pick(f.by_week, 'objects') },
                                        { name: m['sightings'], data: pick(f.by_week, 'sightings'), type: 'line' }]),
    org: bar(f.sightings_by_org.map(function (r) { return r.organization || m['organization.unknown']; }),
             [{ name: m['sightings'], data: pick(f.sightings_by_org, 'sightings') }], true)
  };
  document.querySelectorAll('.chart').forEach(function (el) {
    var o = options[el.getAttribute('data-chart')];
    var empty = !o || (o.series[0].data || []).length === 0;
    if (empty) { el.style.display = 'none'; return; }
    var chart = echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(o);
    el.setAttribute('data-drawn', 'true');
  });
})();
