// The object browser: the search engine's full text and filters (type, collection, TLP,
// nation, dates added, valid now) through GET /api/v1/search; the form lives in the route's
// parameters so a search can be bookmarked and the back button works.
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { collections, type Collection } from '../collections';
import { KzElement } from '../element';
import { formatTime, t } from '../i18n';
import { go } from '../router';
import { kObjectTypes } from '../stix';
import { errorLine, idLink, loadingLine, text } from './common';

interface Result {
  id: string;
  type: string;
  name?: string;
  collection?: string;
  date_added?: string;
}
interface Answer {
  more: boolean;
  index_complete?: boolean;
  results: Result[];
}

const kFields = ['q', 'type', 'collection', 'tlp', 'nation', 'added_after', 'added_before', 'valid_now'];
const kLimit = 50;

function dayToTimestamp(day: string | null, end: boolean): string | undefined {
  if (!day) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : day;
}

class KzBrowse extends KzElement {
  static properties = { params: { attribute: false }, answer: { state: true }, error: { state: true },
                        busy: { state: true }, cols: { state: true } };
  declare params: URLSearchParams;
  declare answer: Answer | null;
  declare error: unknown;
  declare busy: boolean;
  declare cols: Collection[];

  constructor() {
    super();
    this.params = new URLSearchParams();
    this.answer = null;
    this.error = null;
    this.busy = false;
    this.cols = [];
  }

  connectedCallback(): void {
    super.connectedCallback();
    collections().then((c) => (this.cols = c), () => undefined);
  }

  willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params')) this.search();
  }

  private async search(): Promise<void> {
    const p = this.params;
    this.error = null;
    if (!p.get('q')) {
      this.answer = null;
      this.painted('browse');
      return;
    }
    this.busy = true;
    try {
      this.answer = await api<Answer>('GET', '/api/v1/search' + query({
        q: p.get('q'), type: p.get('type'), collection: p.get('collection'), tlp: p.get('tlp'),
        nation: p.get('nation'), added_after: dayToTimestamp(p.get('added_after'), false),
        added_before: dayToTimestamp(p.get('added_before'), true), valid_now: p.get('valid_now') === 'true',
        limit: kLimit,
      }));
    } catch (e) {
      this.answer = null;
      this.error = e;
    } finally {
      this.busy = false;
    }
    this.painted('browse');
  }

  private submit(e: Event): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const next = new URLSearchParams();
    for (const f of kFields) {
      const v = form.get(f);
      if (typeof v === 'string' && v.trim()) next.set(f, f === 'valid_now' ? 'true' : v.trim());
    }
    go('browse', next);
  }

  render() {
    const p = this.params;
    const a = this.answer;
    return html`<h1>${t('browse.title')}</h1>
      <form class="filters" role="search" @submit=${this.submit}>
        <label class="wide">${t('browse.query')}<input name="q" type="search" required maxlength="1000"
          .value=${p.get('q') ?? ''}></label>
        <label>${t('browse.type')}<select name="type">
          <option value="">${t('browse.any')}</option>
          ${kObjectTypes.map((x) => html`<option value=${x} ?selected=${p.get('type') === x}>${x}</option>`)}
        </select></label>
        <label>${t('browse.collection')}<select name="collection">
          <option value="">${t('browse.any')}</option>
          ${this.cols.map((c) => html`<option value=${c.id} ?selected=${p.get('collection') === c.id}>${c.title}</option>`)}
        </select></label>
        <label>${t('browse.tlp')}<select name="tlp">
          <option value="">${t('browse.any')}</option>
          ${['clear', 'green', 'amber', 'amber+strict', 'red'].map((x) =>
            html`<option value=${x} ?selected=${p.get('tlp') === x}>TLP:${x.toUpperCase()}</option>`)}
        </select></label>
        <label>${t('browse.nation')}<input name="nation" maxlength="3" pattern="[A-Za-z]{3}" .value=${p.get('nation') ?? ''}></label>
        <label>${t('browse.addedAfter')}<input name="added_after" type="date" .value=${p.get('added_after') ?? ''}></label>
        <label>${t('browse.addedBefore')}<input name="added_before" type="date" .value=${p.get('added_before') ?? ''}></label>
        <label class="check"><input name="valid_now" type="checkbox" value="true" ?checked=${p.get('valid_now') === 'true'}>
          ${t('browse.validNow')}</label>
        <button type="submit">${t('browse.search')}</button>
      </form>
      ${errorLine(this.error)}
      ${this.busy ? loadingLine() : nothing}
      ${a ? html`<p role="status" class="count">${t(a.more ? 'browse.countMore' : 'browse.count', { n: a.results.length })}</p>
        ${a.results.length ? html`<table class="results">
          <thead><tr><th scope="col">${t('object.name')}</th><th scope="col">${t('object.type')}</th>
            <th scope="col">${t('browse.collection')}</th><th scope="col">${t('object.added')}</th></tr></thead>
          <tbody>${a.results.map((r) => html`<tr>
            <td>${idLink(r.id, text(r.name) || r.id)}</td><td>${text(r.type)}</td>
            <td><code>${text(r.collection)}</code></td><td>${formatTime(r.date_added)}</td></tr>`)}</tbody>
        </table>` : nothing}` : nothing}`;
  }
}
customElements.define('kz-browse', KzBrowse);
