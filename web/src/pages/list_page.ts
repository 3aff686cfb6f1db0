// The base of the pages that show rows fetched from the node, a page at a time: the rows, the
// error, the loading line, the "more" button, and the paint mark for the benchmark.
import { html, nothing, type TemplateResult } from 'lit';
import { KzElement } from '../element';
import { t } from '../i18n';
import { errorLine, loadingLine } from './common';

export abstract class KzListPage<T> extends KzElement {
  static properties = { rows: { state: true }, error: { state: true }, more: { state: true } };
  declare rows: T[] | null;
  declare error: unknown;
  declare more: boolean;
  private readonly pageName: string;

  constructor(pageName: string) {
    super();
    this.pageName = pageName;
    this.rows = null;
    this.error = null;
    this.more = false;
  }

  // The rows after `cursor` ('' for the first page), whether there are more, and the cursor
  // of the next page (the node's "next").
  protected abstract fetchRows(cursor: string): Promise<{ rows: T[]; more: boolean; next?: unknown }>;
  private cursor = '';

  connectedCallback(): void {
    super.connectedCallback();
    this.loadMore();
  }

  protected async loadMore(): Promise<void> {
    try {
      const r = await this.fetchRows(this.cursor);
      this.rows = [...(this.rows ?? []), ...r.rows];
      this.cursor = r.next === undefined || r.next === null ? '' : String(r.next);
      this.more = r.more && this.cursor !== '';
    } catch (e) {
      this.error = e;
    }
    this.painted(this.pageName);
  }

  // The error, the loading line or `emptyKey`'s message, as the state calls for.
  protected state(emptyKey: string): TemplateResult {
    return html`${errorLine(this.error)}${!this.rows && !this.error ? loadingLine() : nothing}
      ${this.rows && !this.rows.length ? html`<p>${t(emptyKey)}</p>` : nothing}`;
  }

  protected moreButton(): TemplateResult | typeof nothing {
    return this.more ? html`<button type="button" @click=${() => this.loadMore()}>${t('common.more')}</button>` : nothing;
  }
}

// A page of a paged answer {MEMBER: [...], "more", "next"}, or of a bare array.
export function pageOf<T>(answer: unknown, member: string): { rows: T[]; more: boolean; next?: unknown } {
  if (Array.isArray(answer)) return { rows: answer as T[], more: false };
  const a = (answer ?? {}) as Record<string, unknown>;
  return { rows: Array.isArray(a[member]) ? (a[member] as T[]) : [], more: a.more === true, next: a.next };
}
