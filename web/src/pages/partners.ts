// Partners: the peers with their sync state and last errors, for node administrators (the node
// answers 403 to anyone else).
import { html } from 'lit';
import { api } from '../api';
import { t } from '../i18n';
import { partnersTable, type Partner } from './dashboard';
import { KzListPage, pageOf } from './list_page';

class KzPartners extends KzListPage<Partner> {
  constructor() {
    super('partners');
  }

  protected async fetchRows() {
    return pageOf<Partner>(await api('GET', '/api/v1/partners'), 'partners');
  }

  render() {
    return html`<h1>${t('partners.title')}</h1>${this.state('partners.none')}
      ${this.rows?.length ? partnersTable(this.rows) : ''}`;
  }
}
customElements.define('kz-partners', KzPartners);
