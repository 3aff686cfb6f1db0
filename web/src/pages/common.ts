// Pieces shared by the pages: the error line, the loading line, a table of plain values, and a
// link to an object that is only a link when the value is a STIX id.
import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from '../api';
import { t } from '../i18n';
import { isStixId, objectHref } from '../safe';

export function errorLine(e: unknown): TemplateResult | typeof nothing {
  if (!e) return nothing;
  const status = e instanceof ApiError ? e.status : 0;
  const message = e instanceof Error ? e.message : String(e);
  const key = status === 403 ? 'error.forbidden' : status === 404 ? 'error.notFound' : 'error.failed';
  return html`<p class="error" role="alert">${t(key)}: ${message}</p>`;
}

export function loadingLine(): TemplateResult {
  return html`<p role="status">${t('common.loading')}</p>`;
}

export function idLink(value: unknown, label?: string): TemplateResult | string {
  if (isStixId(value)) return html`<a href=${objectHref(value)}>${label ?? value}</a>`;
  return value === undefined || value === null ? '' : String(value);
}

export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
