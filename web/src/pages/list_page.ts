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

  // The rows after `last` (undefined for the first page), and whether there are more.
  protected abstract fetchRows(last: T | undefined): Promise<{ rows: T[]; more: boolean }>;

  connectedCallback(): void {
    super.connectedCallback();
    this.loadMore();
  }

  protected async loadMore(): Promise<void> {
    try {
      const r = await this.fetchRows(this.rows?.[this.rows.length - 1]);
      this.rows = [...(this.rows ?? []), ...r.rows];
      this.more = r.more;
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

// The array in an answer that is either an array or an object holding one under `member`.
export function rowsOf<T>(answer: unknown, member: string): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const inner = (answer as Record<string, unknown> | null)?.[member];
  return Array.isArray(inner) ? (inner as T[]) : [];
}
