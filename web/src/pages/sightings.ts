// Sightings, newest first (GET /api/v1/sightings), a page at a time.
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { formatTime, t } from '../i18n';
import type { StixObject } from '../stix';
import { idLink, text } from './common';
import { KzListPage, pageOf } from './list_page';

const kPage = 50;

class KzSightings extends KzListPage<StixObject> {
  constructor() {
    super('sightings');
  }

  protected async fetchRows(before: string) {
    const page = pageOf<{ sighting: StixObject }>(await api('GET', '/api/v1/sightings' + query({ limit: kPage, before })),
      'sightings');
    return { ...page, rows: page.rows.map((r) => r.sighting).filter((s) => s && typeof s === 'object') };
  }

  render() {
    const rows = this.rows;
    return html`<h1>${t('sightings.title')}</h1>${this.state('sightings.none')}
      ${rows?.length ? html`<table>
        <thead><tr><th scope="col">${t('sightings.sighting')}</th><th scope="col">${t('sightings.of')}</th>
          <th scope="col">${t('sightings.count')}</th><th scope="col">${t('sightings.firstSeen')}</th>
          <th scope="col">${t('sightings.lastSeen')}</th><th scope="col">${t('sightings.where')}</th></tr></thead>
        <tbody>${rows.map((s) => html`<tr><td>${idLink(s.id, t('sightings.open'))}</td><td>${idLink(s.sighting_of_ref)}</td>
          <td class="num">${text(s.count)}</td><td>${formatTime(s.first_seen)}</td><td>${formatTime(s.last_seen)}</td>
          <td>${Array.isArray(s.where_sighted_refs) ? s.where_sighted_refs.map((w) => html`${idLink(w)} `) : ''}</td></tr>`)}</tbody>
      </table>` : nothing}
      ${this.moreButton()}`;
  }
}
customElements.define('kz-sightings', KzSightings);
