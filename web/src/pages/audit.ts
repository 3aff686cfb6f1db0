// The audit log, for node and organisation administrators (the node answers 403 to others and
// limits an organisation admin to their organisation's entries).
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { formatTime, has, t } from '../i18n';
import { text } from './common';
import { KzListPage, pageOf } from './list_page';

type Entry = Record<string, unknown>;
const kPage = 100;
const kColumns = ['time', 'actor', 'action', 'target', 'remote', 'details'];

class KzAudit extends KzListPage<Entry> {
  constructor() {
    super('audit');
  }

  protected async fetchRows(before: string) {
    return pageOf<Entry>(await api('GET', '/api/v1/audit' + query({ limit: kPage, before })), 'events');
  }

  render() {
    const rows = this.rows;
    const present = rows?.length ? [...new Set(rows.flatMap((r) => Object.keys(r)))] : [];
    const columns = [...kColumns.filter((c) => present.includes(c)), ...present.filter((c) => !kColumns.includes(c) && c !== 'seq')];
    return html`<h1>${t('audit.title')}</h1>${this.state('audit.none')}
      ${rows?.length ? html`<table class="audit">
        <thead><tr>${columns.map((c) => html`<th scope="col">${has('audit.' + c) ? t('audit.' + c) : c}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${c === 'time' ? formatTime(r[c]) : text(r[c])}</td>`)}</tr>`)}</tbody>
      </table>` : nothing}
      ${this.moreButton()}`;
  }
}
customElements.define('kz-audit', KzAudit);
