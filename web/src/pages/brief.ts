// The periodic brief for the signed-in user (GET /api/v1/brief): the node computes the figures
// with the user as the audience (its own released read), the page shows the main ones, and the
// self-contained HTML page, its PDF and the JSON figures are downloads of the same period. A
// node administrator may name another audience, a nation or a community (the node refuses it
// to anyone else).
import { html, nothing } from 'lit';
import { api, query, type Session } from '../api';
import { KzElement } from '../element';
import { formatNumber, lang, t } from '../i18n';
import { errorLine, idLink, loadingLine, text } from './common';
import { markingBanner } from './object';

interface Change {
  current: number;
  previous: number;
}
interface Figures {
  period: { from: string; to: string };
  previous: { from: string; to: string };
  banner: string;
  headline: Record<string, Change>;
  by_type: { type: string; current: number; previous: number }[];
  by_tlp: { tlp: string; objects: number }[];
  by_releasability: { release: string; objects: number }[];
  top_indicators: { id: string; name: string; sightings: number }[];
  exercises: { items: { exercise: string; title: string; from: string; to: string; tlp: string }[] };
}

const kHeadline = ['objects', 'indicators', 'reports', 'sightings', 'received', 'sent'];

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

class KzBrief extends KzElement {
  static properties = { session: { attribute: false }, from: { state: true }, to: { state: true },
                        audience: { state: true }, data: { state: true }, error: { state: true },
                        busy: { state: true }, shown: { state: true } };
  declare session: Session;
  declare audience: string;  // "" = the signed-in user
  declare from: string;
  declare to: string;
  declare data: Figures | null;
  declare error: unknown;
  declare busy: boolean;
  declare shown: string;  // the query of the figures on screen

  constructor() {
    super();
    const now = new Date();
    this.to = day(now);
    this.from = day(new Date(now.getTime() - 30 * 86400000));
    this.audience = '';
    this.data = null;
    this.error = null;
    this.busy = false;
    this.shown = '';
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.painted('brief');
  }

  private async produce(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = null;
    const q = query({ from: this.from, to: this.to, audience: this.audience.trim() });
    try {
      this.data = await api<Figures>('GET', '/api/v1/brief' + q);
      this.shown = q;
    } catch (err) {
      this.error = err;
      this.data = null;
    }
    this.busy = false;
    this.painted('brief');
  }

  private figures(f: Figures) {
    const html_ = '/api/v1/brief' + this.shown + '&' + new URLSearchParams({ format: 'html', lang: lang() });
    const pdf = '/api/v1/brief' + this.shown + '&' + new URLSearchParams({ format: 'pdf', lang: lang() });
    const json = '/api/v1/brief' + this.shown + '&download=1';
    return html`<section aria-labelledby="brief-figures">
      ${markingBanner({ tlp: f.banner.replace(/^TLP:/, '').toLowerCase() || undefined })}
      <h2 id="brief-figures">${t('brief.figuresFor', { from: f.period.from, to: f.period.to })}</h2>
      <p class="downloads"><a href=${html_} download>${t('brief.downloadHtml')}</a>
        <a href=${pdf} download>${t('brief.downloadPdf')}</a>
        <a href=${json} download>${t('brief.downloadJson')}</a></p>
      <table class="headline">
        <thead><tr><th scope="col">${t('brief.figure')}</th><th scope="col">${t('brief.current')}</th>
          <th scope="col">${t('brief.previous')}</th></tr></thead>
        <tbody>${kHeadline.filter((k) => f.headline[k]).map((k) => html`<tr><th scope="row">${t('brief.' + k)}</th>
          <td class="num">${formatNumber(f.headline[k].current)}</td>
          <td class="num">${formatNumber(f.headline[k].previous)}</td></tr>`)}</tbody>
      </table>
      <h3>${t('brief.byType')}</h3>
      ${f.by_type.length ? html`<table class="by-type">
        <thead><tr><th scope="col">${t('brief.type')}</th><th scope="col">${t('brief.current')}</th>
          <th scope="col">${t('brief.previous')}</th></tr></thead>
        <tbody>${f.by_type.map((r) => html`<tr><td>${text(r.type)}</td><td class="num">${formatNumber(r.current)}</td>
          <td class="num">${formatNumber(r.previous)}</td></tr>`)}</tbody></table>` : html`<p>${t('brief.nothing')}</p>`}
      <h3>${t('brief.byTlp')}</h3>
      ${f.by_tlp.length ? html`<table class="by-tlp">
        <thead><tr><th scope="col">TLP</th><th scope="col">${t('brief.objects')}</th></tr></thead>
        <tbody>${f.by_tlp.map((r) => html`<tr><td>${text(r.tlp) || t('marking.noTlp')}</td>
          <td class="num">${formatNumber(r.objects)}</td></tr>`)}</tbody></table>` : html`<p>${t('brief.nothing')}</p>`}
      <h3>${t('brief.topIndicators')}</h3>
      ${f.top_indicators.length ? html`<table class="top-indicators">
        <thead><tr><th scope="col">${t('brief.indicator')}</th><th scope="col">${t('brief.sightings')}</th></tr></thead>
        <tbody>${f.top_indicators.map((r) => html`<tr><td>${idLink(r.id, r.name || r.id)}</td>
          <td class="num">${formatNumber(r.sightings)}</td></tr>`)}</tbody></table>` : html`<p>${t('brief.nothing')}</p>`}
      <h3>${t('brief.exercises')}</h3>
      ${f.exercises.items.length ? html`<ul>${f.exercises.items.map((x) => html`<li>
        <a href="#/exercises">${text(x.title || x.exercise)}</a> (${text(x.from)} – ${text(x.to)}, ${text(x.tlp)})</li>`)}</ul>`
        : html`<p>${t('brief.nothing')}</p>`}
    </section>`;
  }

  render() {
    return html`<h1>${t('brief.title')}</h1>
      <p>${t('brief.intro')}</p>
      <form class="brief" @submit=${(e: Event) => this.produce(e)}>
        <label>${t('brief.from')} <input type="date" required .value=${this.from}
          @input=${(e: Event) => (this.from = (e.target as HTMLInputElement).value)}></label>
        <label>${t('brief.to')} <input type="date" required .value=${this.to}
          @input=${(e: Event) => (this.to = (e.target as HTMLInputElement).value)}></label>
        ${this.session?.roles.includes('node-admin') ? html`<label>${t('brief.audience')} <input type="text"
          maxlength="64" placeholder=${t('brief.audienceHint')} .value=${this.audience}
          @input=${(e: Event) => (this.audience = (e.target as HTMLInputElement).value)}></label>` : nothing}
        <button type="submit" ?disabled=${this.busy}>${t('brief.produce')}</button>
      </form>
      ${errorLine(this.error)}${this.busy ? loadingLine() : nothing}
      ${this.data ? this.figures(this.data) : nothing}`;
  }
}
customElements.define('kz-brief', KzBrief);
