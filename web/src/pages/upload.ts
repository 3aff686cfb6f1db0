// Bulk upload: a STIX bundle, a CSV or a plain list, into a collection the principal may write,
// through POST /api/v1/collections/{id}/import?format= (the importer of `kizuna import`).
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { collections, type Collection } from '../collections';
import { KzElement } from '../element';
import { formatNumber, t } from '../i18n';
import { errorLine, text } from './common';

interface ImportAnswer {
  added: number;
  rejected: number;
  errors: { id?: string; message?: string }[];
}

class KzUpload extends KzElement {
  static properties = { cols: { state: true }, result: { state: true }, error: { state: true }, busy: { state: true } };
  declare cols: Collection[];
  declare result: ImportAnswer | null;
  declare error: unknown;
  declare busy: boolean;

  constructor() {
    super();
    this.cols = [];
    this.result = null;
    this.error = null;
    this.busy = false;
  }

  async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      this.cols = (await collections()).filter((c) => c.can_write);
    } catch (e) {
      this.error = e;
    }
    this.painted('upload');
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const file = form.get('file');
    if (!(file instanceof File) || !file.size) return;
    this.busy = true;
    this.error = null;
    this.result = null;
    try {
      const format = String(form.get('format'));
      this.result = await api<ImportAnswer>('POST', `/api/v1/collections/${encodeURIComponent(String(form.get('collection')))}/import`
        + query({ format }), { raw: file, contentType: format === 'stix' ? 'application/json' : 'application/octet-stream' });
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const r = this.result;
    return html`<h1>${t('upload.title')}</h1>
      <form class="upload" @submit=${this.submit}>
        <label>${t('publish.collection')}<select name="collection" required>
          ${this.cols.map((c) => html`<option value=${c.id}>${c.title}</option>`)}</select></label>
        <label>${t('upload.format')}<select name="format">
          <option value="stix">${t('upload.stix')}</option><option value="csv">${t('upload.csv')}</option>
          <option value="lines">${t('upload.lines')}</option></select></label>
        <label>${t('upload.file')}<input name="file" type="file" required></label>
        <button type="submit" ?disabled=${this.busy}>${t('upload.submit')}</button>
      </form>
      ${errorLine(this.error)}
      ${r ? html`<p role="status">${t('upload.result', { added: formatNumber(r.added), rejected: formatNumber(r.rejected) })}</p>
        ${r.errors?.length ? html`<ul class="errors">${r.errors.map((x) => html`<li>${x.id ? html`<code>${text(x.id)}</code>: ` : ''}${text(x.message)}</li>`)}</ul>` : nothing}` : nothing}`;
  }
}
customElements.define('kz-upload', KzUpload);
