// The dashboard: what came in and went out today and this week per nation, sightings over the
// last 30 days (charts.js, loaded on first use), and the partners' sync state (for node
// administrators: the node leaves it out for anyone else).
import { html, nothing } from 'lit';
import { api } from '../api';
import { KzElement } from '../element';
import { formatNumber, formatTime, t } from '../i18n';
import { errorLine, loadingLine, text } from './common';

type Counts = Record<string, number>;
interface Flow {
  in: Counts;
  out: Counts;
}
export interface Partner {
  name: string;
  nation: string;
  state: string;
  last_sync?: string;
  last_error?: string;
}
interface Dashboard {
  today: Flow;
  week: Flow;
  sightings_by_day: { day: string; count: number }[];
  partners?: Partner[];  // node administrators only
}
interface Charts {
  sightingsChart(el: HTMLElement, days: Dashboard['sightings_by_day'], name: string): () => void;
}

let chartsLoading: Promise<Charts> | null = null;
// charts.js, loaded once (the shell starts it early when the console opens on the dashboard).
export function loadCharts(): Promise<Charts> {
  const w = window as unknown as { kizunaCharts?: Charts };
  if (w.kizunaCharts) return Promise.resolve(w.kizunaCharts);
  chartsLoading ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'charts.js';
    s.onload = () => (w.kizunaCharts ? resolve(w.kizunaCharts) : reject(new Error('charts.js')));
    s.onerror = () => {
      chartsLoading = null;
      reject(new Error('charts.js did not load'));
    };
    document.head.append(s);
  });
  return chartsLoading;
}

export function partnersTable(partners: Partner[]) {
  if (!partners.length) return html`<p>${t('partners.none')}</p>`;
  return html`<table>
    <thead><tr><th scope="col">${t('partners.name')}</th><th scope="col">${t('partners.nation')}</th>
      <th scope="col">${t('partners.state')}</th><th scope="col">${t('partners.lastSync')}</th>
      <th scope="col">${t('partners.lastError')}</th></tr></thead>
    <tbody>${partners.map((p) => html`<tr>
      <td>${text(p.name)}</td><td>${text(p.nation)}</td>
      <td><span class="state state-${/^[a-z-]+$/.test(p.state) ? p.state : 'other'}">${text(p.state)}</span></td>
      <td>${formatTime(p.last_sync)}</td><td class="error-text">${text(p.last_error)}</td></tr>`)}</tbody>
  </table>`;
}

class KzDashboard extends KzElement {
  static properties = { data: { state: true }, error: { state: true } };
  declare data: Dashboard | null;
  declare error: unknown;
  private disposeChart: (() => void) | null = null;

  constructor() {
    super();
    this.data = null;
    this.error = null;
  }

  async connectedCallback(): Promise<void> {
    super.connectedCallback();
    const charts = loadCharts();
    charts.catch(() => undefined);
    try {
      this.data = await api<Dashboard>('GET', '/api/v1/dashboard');
      await this.updateComplete;
      const el = this.querySelector<HTMLElement>('.chart');
      if (el) this.disposeChart = (await charts).sightingsChart(el, this.data.sightings_by_day, t('dashboard.sightings'));
    } catch (e) {
      this.error = e;
    }
    this.painted('dashboard');
  }

  disconnectedCallback(): void {
    this.disposeChart?.();
    super.disconnectedCallback();
  }

  private flowTable(caption: string, flow: Flow) {
    const nations = [...new Set([...Object.keys(flow.in ?? {}), ...Object.keys(flow.out ?? {})])].sort();
    return html`<table class="flow">
      <caption>${caption}</caption>
      <thead><tr><th scope="col">${t('dashboard.nation')}</th><th scope="col">${t('dashboard.in')}</th>
        <th scope="col">${t('dashboard.out')}</th></tr></thead>
      <tbody>${nations.length ? nations.map((n) => html`<tr><th scope="row">${n}</th>
        <td>${formatNumber(flow.in?.[n] ?? 0)}</td><td>${formatNumber(flow.out?.[n] ?? 0)}</td></tr>`)
        : html`<tr><td colspan="3">${t('dashboard.nothing')}</td></tr>`}</tbody>
    </table>`;
  }

  render() {
    const d = this.data;
    const total = d ? d.sightings_by_day.reduce((a, x) => a + (Number(x.count) || 0), 0) : 0;
    return html`<h1>${t('dashboard.title')}</h1>
      ${errorLine(this.error)}
      ${!d && !this.error ? loadingLine() : nothing}
      ${d ? html`
        <section class="flows" aria-label=${t('dashboard.flows')}>
          ${this.flowTable(t('dashboard.today'), d.today)}
          ${this.flowTable(t('dashboard.week'), d.week)}
        </section>
        <section>
          <h2>${t('dashboard.sightings')}</h2>
          <div class="chart" role="img" aria-label=${t('dashboard.sightingsSummary', { days: d.sightings_by_day.length, count: total })}></div>
        </section>
        ${d.partners ? html`<section>
          <h2>${t('dashboard.partners')}</h2>
          ${partnersTable(d.partners)}
        </section>` : nothing}` : nothing}`;
  }
}
customElements.define('kz-dashboard', KzDashboard);
