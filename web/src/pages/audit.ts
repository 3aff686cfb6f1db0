// The audit log, for node and organisation administrators (the node answers 403 to others and
// limits an organisation admin to their organisation's entries).
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { formatTime, t } from '../i18n';
import { text } from './common';
import { KzListPage, rowsOf } from './list_page';

type Entry = Record<string, unknown>;
const kPage = 100;
const kColumns = ['time', 'user', 'organization', 'action', 'target', 'outcome', 'detail'];

class KzAudit extends KzListPage<Entry> {
  constructor() {
    super('audit');
  }

  protected async fetchRows(last: Entry | undefined) {
    const rows = rowsOf<Entry>(await api('GET', '/api/v1/audit' + query({ limit: kPage, before: last ? text(last.id) : '' })),
      'entries');
    return { rows, more: rows.length === kPage };
  }

  render() {
    const rows = this.rows;
    const present = rows?.length ? [...new Set(rows.flatMap((r) => Object.keys(r)))] : [];
    const columns = [...kColumns.filter((c) => present.includes(c)), ...present.filter((c) => !kColumns.includes(c) && c !== 'id')];
    return html`<h1>${t('audit.title')}</h1>${this.state('audit.none')}
      ${rows?.length ? html`<table class="audit">
        <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${c === 'time' ? formatTime(r[c]) : text(r[c])}</td>`)}</tr>`)}</tbody>
      </table>` : nothing}
      ${this.moreButton()}`;
  }
}
customElements.define('kz-audit', KzAudit);
