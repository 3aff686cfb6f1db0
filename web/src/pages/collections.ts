// Collections: title, what the principal may do, how many objects it may read there.
import { html, nothing } from 'lit';
import { collections, type Collection } from '../collections';
import { formatNumber, t } from '../i18n';
import { KzListPage } from './list_page';

class KzCollections extends KzListPage<Collection> {
  constructor() {
    super('collections');
  }

  protected async fetchRows() {
    return { rows: await collections(true), more: false };
  }

  render() {
    const rows = this.rows;
    return html`<h1>${t('collections.title')}</h1>${this.state('collections.none')}
      ${rows?.length ? html`<table>
        <thead><tr><th scope="col">${t('collections.name')}</th><th scope="col">${t('collections.id')}</th>
          <th scope="col">${t('collections.access')}</th><th scope="col">${t('collections.objects')}</th></tr></thead>
        <tbody>${rows.map((c) => html`<tr>
          <td><a href="#/browse?collection=${encodeURIComponent(c.id)}">${c.title}</a></td><td><code>${c.id}</code></td>
          <td>${[c.can_read ? t('collections.read') : '', c.can_write ? t('collections.write') : ''].filter(Boolean).join(', ')}</td>
          <td class="num">${formatNumber(c.objects)}</td></tr>`)}</tbody>
      </table>` : nothing}`;
  }
}
customElements.define('kz-collections', KzCollections);
