/**
 * Runs in Chromium: lays the dashboard's panels out on Grafana's grid (24 columns, rows of 30 px) in Grafana's
 * dark colours, draws the time series with uPlot and the stat, table and bar gauge panels as HTML.
 */
/* global document, window, uPlot */
const UNIT = 30;
const PALETTE = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#FADE2A'];

function format(value, unit) {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'percentunit') return `${(value * 100).toFixed(value > 0.999 && value < 1 ? 2 : 1)} %`;
  if (unit === 's') return value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(2)} s`;
  if (unit === 'reqps') return `${value.toFixed(value < 10 ? 2 : 0)} /s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** A tick's time of day in UTC, as HH:MM. */
function clock(seconds) {
  return new Date(seconds * 1000).toISOString().slice(11, 16);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function timeseries(body, panel, width, height) {
  const times = [...new Set(panel.series.flatMap((s) => s.values.map(([t]) => t)))].sort((a, b) => a - b);
  const data = [
    times,
    ...panel.series.map((s) => {
      const byTime = new Map(s.values);
      return times.map((t) => (byTime.has(t) && Number.isFinite(byTime.get(t)) ? byTime.get(t) : null));
    }),
  ];
  const axis = { stroke: '#ccccdc', grid: { stroke: '#2c3235', width: 1 }, ticks: { stroke: '#2c3235' } };
  new uPlot(
    {
      width,
      height,
      legend: { show: true, live: false },
      cursor: { show: false },
      series: [
        {},
        ...panel.series.map((s, i) => ({
          label: s.name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          points: { show: false },
          value: (_, v) => format(v, panel.unit),
        })),
      ],
      axes: [
        { ...axis, space: 80, values: (_, ticks) => ticks.map(clock) },
        { ...axis, size: 70, values: (_, ticks) => ticks.map((v) => format(v, panel.unit)) },
      ],
    },
    data,
    body,
  );
}

function latest(series) {
  return series.values.length === 0 ? NaN : series.values[series.values.length - 1][1];
}

function stat(body, panel) {
  body.classList.add('stat');
  for (const s of panel.series) {
    const box = element('div', 'stat-box');
    box.append(
      element('div', 'stat-value', format(latest(s), panel.unit)),
      element('div', 'stat-name', s.name),
    );
    body.append(box);
  }
}

/** One row per series, one column per label (Grafana's table of an instant query), and its value. */
function table(body, panel) {
  const columns = [...new Set(panel.series.flatMap((s) => Object.keys(s.labels)))];
  const grid = element('table');
  const head = element('tr');
  for (const name of [...columns, 'value']) head.append(element('th', '', name));
  grid.append(head);
  for (const s of panel.series) {
    const row = element('tr');
    for (const name of columns) row.append(element('td', '', s.labels[name] ?? ''));
    row.append(element('td', '', format(latest(s), panel.unit)));
    grid.append(row);
  }
  body.append(grid);
}

function bargauge(body, panel) {
  const values = panel.series.map(latest);
  const max = Math.max(panel.unit === 'percentunit' ? 1 : 0, ...values.filter(Number.isFinite));
  panel.series.forEach((s, i) => {
    const value = values[i];
    const bar = element('div', 'bar');
    const fill = element('div', 'fill');
    fill.style.width = `${Math.max(0, Math.min(1, value / max)) * 100}%`;
    fill.style.background =
      value < 0 || (panel.unit === 'percentunit' && value < 0.25) ? '#F2495C' : '#73BF69';
    bar.append(
      element('div', 'bar-name', s.name),
      fill,
      element('div', 'bar-value', format(value, panel.unit)),
    );
    body.append(bar);
  });
}

function draw(panels, caption, pageWidth) {
  const column = pageWidth / 24;
  const root = element('div', 'dashboard');
  root.append(element('div', 'caption', caption));
  let bottom = 0;
  for (const panel of panels) {
    const { x, y, w, h } = panel.gridPos;
    const box = element('div', panel.type === 'row' ? 'row' : 'panel');
    Object.assign(box.style, {
      left: `${x * column + 4}px`,
      top: `${40 + y * UNIT + 4}px`,
      width: `${w * column - 8}px`,
      height: `${h * UNIT - 8}px`,
    });
    bottom = Math.max(bottom, 40 + (y + h) * UNIT);
    box.append(element('div', 'title', panel.title));
    root.append(box);
    if (panel.type === 'row') continue;
    const body = element('div', 'body');
    box.append(body);
    if (panel.series.length === 0) body.append(element('div', 'empty', 'No data'));
    else if (panel.type === 'timeseries') timeseries(body, panel, w * column - 24, h * UNIT - 110);
    else if (panel.type === 'stat') stat(body, panel);
    else if (panel.type === 'table') table(body, panel);
    else bargauge(body, panel);
  }
  root.style.height = `${bottom + 10}px`;
  document.body.append(root);
}
window.drawDashboard = draw;
