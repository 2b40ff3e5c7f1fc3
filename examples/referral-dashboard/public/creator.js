// The creator's dashboard: the time series as a uPlot chart and a table, the funnel, and the friends who joined.
import { amounts, day, getJson, row, timezone } from './format.js';

const creatorId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const $ = (id) => document.getElementById(id);
let chart = null;

const SERIES = [
  { label: 'Visits', key: 'visits', stroke: '#2563eb' },
  { label: 'Signups', key: 'leads', stroke: '#16a34a', dash: [8, 4] },
  { label: 'Sales', key: 'sales', stroke: '#c2410c', dash: [2, 4] },
];

const drawChart = (buckets) => {
  const data = [buckets.map((b) => new Date(b.start).getTime() / 1000), ...SERIES.map((s) => buckets.map((b) => b[s.key]))];
  const options = {
    width: Math.min($('chart').clientWidth || 720, 960),
    height: 280,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timezone),
    series: [
      { label: 'Period', value: (_u, ts) => (ts == null ? '—' : day(ts * 1000)) },
      ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, dash: s.dash, width: 2, points: { show: true, size: 7 } })),
    ],
    axes: [{}, { label: 'Count', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
    scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
  };
  chart?.destroy();
  chart = new uPlot(options, data, $('chart'));
  window.referralChart = chart; // for the browser test and for curious readers
};

const drawTable = (buckets, interval) => {
  const body = $('series').tBodies[0];
  body.replaceChildren(
    ...buckets.map((b) =>
      row(
        [day(b.start, interval === 'month' ? { month: 'long', year: 'numeric' } : undefined), b.visits, b.uniqueVisitors, b.leads, b.sales, amounts(b.amounts)],
        1,
      ),
    ),
  );
};

const drawFunnel = (f) => {
  const items = [
    ['Visits', f.visits],
    ['Unique visitors', f.uniqueVisitors],
    ['Signups', f.leads],
    ['Signups who bought', f.convertedLeads],
    ['Sales', f.sales],
    ['Approved', f.approved],
    ['Refunded', f.reversed],
    ['Net earnings base', amounts(f.amounts)],
  ];
  $('funnel').replaceChildren(
    ...items.flatMap(([term, value]) => [
      Object.assign(document.createElement('dt'), { textContent: term }),
      Object.assign(document.createElement('dd'), { textContent: String(value) }),
    ]),
  );
};

const drawFriends = (friends) => {
  $('friends').tBodies[0].replaceChildren(...friends.map((f) => row([`Friend ${f.friend}`, day(f.signedUpAt), f.bought ? 'bought' : 'signed up'], 1)));
  $('no-friends').hidden = friends.length > 0;
};

const load = async () => {
  const interval = $('interval').value;
  const params = new URLSearchParams({ interval, days: $('days').value, timezone });
  const body = await getJson(`/api/creators/${encodeURIComponent(creatorId)}/dashboard?${params}`);
  $('link').textContent = body.code ? `${location.origin}/?ref=${body.code}` : 'no code yet';
  const total = (key) => body.series.buckets.reduce((n, b) => n + b[key], 0);
  const count = (key, word) => `${total(key)} ${word}${total(key) === 1 ? '' : 's'}`;
  $('chart-summary').textContent = `${count('visits', 'visit')}, ${count('leads', 'signup')} and ${count('sales', 'sale')} in this period.`;
  $('chart').setAttribute('aria-label', 'Chart of visits, signups and sales per period');
  drawChart(body.series.buckets);
  drawTable(body.series.buckets, interval);
  drawFunnel(body.funnel);
  drawFriends(body.friends);
  document.body.dataset.ready = 'true';
};

$('controls').addEventListener('change', () => void load());
addEventListener('DOMContentLoaded', () => void load().catch((error) => ($('chart-summary').textContent = `Could not load: ${error.message}`)));
