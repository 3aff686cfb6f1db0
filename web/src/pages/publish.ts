// Publish an indicator: name, description, a STIX pattern validated live by the node's pattern
// engine (POST /api/v1/patterns/validate; the error shown under the offending token), a TLP,
// releasability to nations and communities, recipients, a granular marking of one property,
// and the release preview (POST /api/v1/release-preview: who receives it and who does not,
// with the policy's rule and reason) shown before it can be saved. Saving posts one bundle
// (the marking definitions it needs and the indicator) to the collection.
import { html, nothing } from 'lit';
import { api, type Session } from '../api';
import { collections, type Collection } from '../collections';
import { KzElement } from '../element';
import { t } from '../i18n';
import { kTlp, newId, recipients, releasableTo, stixNow, type StixObject } from '../stix';
import { errorLine, idLink, text } from './common';

interface Validation {
  valid: boolean;
  offset?: number;
  length?: number;
  message?: string;
}
interface Decision {
  kind: string;
  name: string;
  receives: boolean;
  rule: string;
  reason: string;
}
interface TaxiiStatus {
  status?: string;
  success_count?: number;
  failure_count?: number;
  failures?: { id?: string; message?: string }[];
}

const kDefaultNations = ['JPN', 'USA', 'KOR'];
const kNation = /^[A-Z]{3}$/;
const kIdentity = /^identity--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const kDebounceMs = 250;
const kMaxPatternBytes = 64 * 1024;

// The index in `s` of the character starting at UTF-8 byte `offset` (the engine counts bytes).
function charIndex(s: string, offset: number): number {
  const bytes = new TextEncoder().encode(s);
  return new TextDecoder().decode(bytes.slice(0, Math.max(0, Math.min(offset, bytes.length)))).length;
}

function split(s: string): string[] {
  return s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
}

class KzPublish extends KzElement {
  static properties = {
    session: { attribute: false }, cols: { state: true }, draft: { state: true }, validation: { state: true },
    decisions: { state: true }, previewedKey: { state: true }, previewError: { state: true },
    saved: { state: true }, saveError: { state: true }, busy: { state: true }, nations: { state: true },
    communities: { state: true },
  };
  declare session: Session;
  declare cols: Collection[];
  declare draft: Record<string, string | string[]>;
  declare validation: Validation | null;
  declare decisions: Decision[] | null;
  declare previewedKey: string;
  declare previewError: unknown;
  declare saved: { status: TaxiiStatus; id: string } | null;
  declare saveError: unknown;
  declare busy: boolean;
  declare nations: string[];
  declare communities: string[];
  private markingCache = new Map<string, StixObject>();
  private indicatorId = newId('indicator');
  private created = stixNow();
  private validateTimer = 0;
  private previewTimer = 0;

  constructor() {
    super();
    this.cols = [];
    this.draft = { collection: '', name: '', description: '', pattern: '', tlp: 'amber', rel: [], communities: '',
                   recipients: '', granularProperty: '', granularTlp: 'red' };
    this.validation = null;
    this.decisions = null;
    this.previewedKey = '';
    this.previewError = null;
    this.saved = null;
    this.saveError = null;
    this.busy = false;
    this.nations = kDefaultNations;
    this.communities = [];
  }

  async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      this.cols = (await collections()).filter((c) => c.can_write);
      if (this.cols.length) this.draft = { ...this.draft, collection: this.cols[0].id };
    } catch (e) {
      this.saveError = e;
    }
    this.painted('publish');
  }

  // A marking definition per distinct content, kept so the preview and the save agree.
  private marking(key: string, make: () => StixObject): StixObject {
    let m = this.markingCache.get(key);
    if (!m) this.markingCache.set(key, (m = make()));
    return m;
  }

  private creator(): string | undefined {
    return kIdentity.test(this.session?.organization ?? '') ? this.session.organization : undefined;
  }

  // The indicator and the marking definitions it references.
  private build(): { indicator: StixObject; markings: StixObject[] } {
    const d = this.draft;
    const markings: StixObject[] = [];
    const refs: string[] = [];
    if (d.tlp && kTlp[d.tlp as string]) refs.push(kTlp[d.tlp as string]);
    const rel = [...(d.rel as string[]), ...split(d.communities as string)];
    if (rel.length) markings.push(this.marking('rel:' + rel.join(','), () => releasableTo(rel, this.creator())));
    const rcpt = split(d.recipients as string).filter((x) => kIdentity.test(x));
    if (rcpt.length) markings.push(this.marking('rcpt:' + rcpt.join(','), () => recipients(rcpt, this.creator())));
    refs.push(...markings.map((m) => m.id));
    const now = stixNow();
    const indicator: StixObject = {
      type: 'indicator', spec_version: '2.1', id: this.indicatorId, created: this.created, modified: this.created,
      name: d.name as string, pattern: d.pattern as string, pattern_type: 'stix', valid_from: this.created > now ? now : this.created,
    };
    if (d.description) indicator.description = d.description;
    const creator = this.creator();
    if (creator) indicator.created_by_ref = creator;
    if (refs.length) indicator.object_marking_refs = refs;
    if (d.granularProperty && kTlp[d.granularTlp as string]) {
      indicator.granular_markings = [{ marking_ref: kTlp[d.granularTlp as string], selectors: [d.granularProperty] }];
    }
    return { indicator, markings };
  }

  private set(field: string, value: string | string[]): void {
    this.draft = { ...this.draft, [field]: value };
    this.saved = null;
    if (field === 'pattern') {
      clearTimeout(this.validateTimer);
      this.validateTimer = window.setTimeout(() => this.validate(), kDebounceMs);
    }
    clearTimeout(this.previewTimer);
    this.previewTimer = window.setTimeout(() => this.preview(), kDebounceMs * 2);
  }

  private toggleNation(n: string, on: boolean): void {
    const rel = (this.draft.rel as string[]).filter((x) => x !== n);
    if (on) rel.push(n);
    this.set('rel', rel.sort());
  }

  private async validate(): Promise<void> {
    const pattern = this.draft.pattern as string;
    if (!pattern) {
      this.validation = null;
      return;
    }
    if (new TextEncoder().encode(pattern).length > kMaxPatternBytes) {
      this.validation = { valid: false, offset: kMaxPatternBytes, length: 0, message: t('publish.patternTooLong') };
      return;
    }
    try {
      const v = await api<Validation>('POST', '/api/v1/patterns/validate', { json: { pattern } });
      if (pattern === this.draft.pattern) this.validation = v;
    } catch (e) {
      this.validation = { valid: false, offset: 0, length: 0, message: e instanceof Error ? e.message : String(e) };
    }
  }

  private key(): string {
    const { indicator, markings } = this.build();
    return JSON.stringify([this.draft.collection, indicator, markings]);
  }

  private async preview(): Promise<void> {
    if (!this.draft.collection) return;
    const key = this.key();
    const { indicator, markings } = this.build();
    try {
      const r = await api<{ decisions: Decision[] }>('POST', '/api/v1/release-preview',
        { json: { collection: this.draft.collection, object: indicator, markings } });
      if (key !== this.key()) return;
      this.decisions = r.decisions;
      this.previewedKey = key;
      this.previewError = null;
      const names = (kind: string) => r.decisions.filter((x) => x.kind === kind).map((x) => x.name);
      this.nations = [...new Set([...kDefaultNations, ...names('nation').filter((n) => kNation.test(n))])].sort();
      this.communities = [...new Set(names('community'))].sort();
    } catch (e) {
      this.previewError = e;
      this.decisions = null;
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.previewedKey !== this.key() || this.validation?.valid !== true) return;
    const { indicator, markings } = this.build();
    this.busy = true;
    this.saveError = null;
    try {
      const bundle = { type: 'bundle', id: newId('bundle'), objects: [...markings, indicator] };
      const status = await api<TaxiiStatus>('POST', `/api/v1/collections/${encodeURIComponent(this.draft.collection as string)}/objects`,
        { json: bundle });
      this.saved = { status, id: indicator.id };
      if ((status.success_count ?? 0) > 0 && !status.failure_count) {
        this.indicatorId = newId('indicator');
        this.created = stixNow();
        this.markingCache.clear();
      }
    } catch (err) {
      this.saveError = err;
    } finally {
      this.busy = false;
    }
  }

  private patternError() {
    const v = this.validation;
    const p = this.draft.pattern as string;
    if (!v) return nothing;
    if (v.valid) return html`<p id="pattern-status" class="ok" role="status">${t('publish.patternValid')}</p>`;
    const start = charIndex(p, v.offset ?? 0);
    const end = Math.max(start + 1, charIndex(p, (v.offset ?? 0) + (v.length ?? 0)));
    return html`<div id="pattern-status" class="pattern-error" role="alert">
      <pre class="mirror" aria-hidden="true">${p.slice(0, start)}<mark>${p.slice(start, end) || ' '}</mark>${p.slice(end)}
${' '.repeat(start)}${'^'.repeat(end - start)}</pre>
      <p class="error">${t('publish.patternError', { offset: v.offset ?? 0, token: p.slice(start, end) })}: ${text(v.message)}</p>
    </div>`;
  }

  private previewTable() {
    if (this.previewError) return errorLine(this.previewError);
    if (!this.decisions) return html`<p>${t('publish.previewPending')}</p>`;
    const stale = this.previewedKey !== this.key();
    const row = (d: Decision) => html`<tr class=${d.receives ? 'receives' : 'withheld'}>
      <td>${t('kind.' + (['nation', 'community', 'peer', 'organization'].includes(d.kind) ? d.kind : 'other'))}</td>
      <td>${text(d.name)}</td><td>${d.receives ? t('publish.receives') : t('publish.withheld')}</td>
      <td><code>${text(d.rule)}</code></td><td>${text(d.reason)}</td></tr>`;
    const head = html`<thead><tr><th scope="col">${t('publish.kind')}</th><th scope="col">${t('publish.partner')}</th>
      <th scope="col">${t('publish.decision')}</th><th scope="col">${t('publish.rule')}</th><th scope="col">${t('publish.reason')}</th></tr></thead>`;
    const yes = this.decisions.filter((d) => d.receives);
    const no = this.decisions.filter((d) => !d.receives);
    return html`${stale ? html`<p class="notice" role="status">${t('publish.previewStale')}</p>` : nothing}
      <table class="preview receives-table"><caption>${t('publish.whoReceives', { n: yes.length })}</caption>${head}<tbody>${yes.map(row)}</tbody></table>
      <table class="preview withheld-table"><caption>${t('publish.whoNot', { n: no.length })}</caption>${head}<tbody>${no.map(row)}</tbody></table>`;
  }

  render() {
    const d = this.draft;
    const input = (field: string) => (e: Event) => this.set(field, (e.target as HTMLInputElement).value);
    const ready = this.previewedKey === this.key() && this.validation?.valid === true && Boolean(d.name);
    const s = this.saved?.status;
    return html`<h1>${t('publish.title')}</h1>
      <form class="publish" @submit=${this.save}>
        <label>${t('publish.collection')}<select name="collection" required @change=${input('collection')}>
          ${this.cols.map((c) => html`<option value=${c.id} ?selected=${d.collection === c.id}>${c.title}</option>`)}</select></label>
        <label>${t('publish.name')}<input name="name" required maxlength="1000" .value=${d.name as string} @input=${input('name')}></label>
        <label>${t('publish.description')}<textarea name="description" maxlength="100000" rows="3"
          .value=${d.description as string} @input=${input('description')}></textarea></label>
        <label>${t('publish.pattern')}<textarea name="pattern" class="code" required rows="3" spellcheck="false"
          aria-describedby="pattern-status" aria-invalid=${this.validation && !this.validation.valid ? 'true' : 'false'}
          placeholder="[ipv4-addr:value = '203.0.113.7']" .value=${d.pattern as string} @input=${input('pattern')}></textarea></label>
        ${this.patternError()}
        <fieldset class="tlp"><legend>${t('publish.tlp')}</legend>
          ${['', 'clear', 'green', 'amber', 'amber+strict', 'red'].map((x) => html`<label class="tlp-${x.replace('+', '-') || 'none'}">
            <input type="radio" name="tlp" value=${x} ?checked=${d.tlp === x} @change=${input('tlp')}>
            ${x ? 'TLP:' + x.toUpperCase() : t('publish.noTlp')}</label>`)}
        </fieldset>
        <fieldset><legend>${t('publish.releasableTo')}</legend>
          ${this.nations.map((n) => html`<label class="check"><input type="checkbox" name="rel" value=${n}
            ?checked=${(d.rel as string[]).includes(n)} @change=${(e: Event) => this.toggleNation(n, (e.target as HTMLInputElement).checked)}>${n}</label>`)}
          <label>${t('publish.communities')}<input name="communities" .value=${d.communities as string}
            list="known-communities" @input=${input('communities')}></label>
          <datalist id="known-communities">${this.communities.map((c) => html`<option value=${c}></option>`)}</datalist>
        </fieldset>
        <label>${t('publish.recipients')}<input name="recipients" .value=${d.recipients as string}
          placeholder="identity--…" @input=${input('recipients')}></label>
        <fieldset><legend>${t('publish.granular')}</legend>
          <label>${t('publish.granularProperty')}<select name="granularProperty" @change=${input('granularProperty')}>
            <option value="">${t('publish.granularNone')}</option>
            ${['name', 'description', 'pattern'].map((p) => html`<option value=${p} ?selected=${d.granularProperty === p}>${p}</option>`)}
          </select></label>
          <label>${t('publish.granularTlp')}<select name="granularTlp" @change=${input('granularTlp')}>
            ${Object.keys(kTlp).map((x) => html`<option value=${x} ?selected=${d.granularTlp === x}>TLP:${x.toUpperCase()}</option>`)}
          </select></label>
        </fieldset>
        <section class="release-preview" aria-live="polite">
          <h2>${t('publish.preview')}</h2>
          <button type="button" @click=${() => this.preview()}>${t('publish.refreshPreview')}</button>
          ${this.previewTable()}
        </section>
        <button type="submit" class="primary" ?disabled=${!ready || this.busy}>${t('publish.save')}</button>
        ${!ready ? html`<p class="hint">${t('publish.saveHint')}</p>` : nothing}
      </form>
      ${errorLine(this.saveError)}
      ${s ? html`<div class="saved" role="status">
        <p>${t('publish.saved', { ok: s.success_count ?? 0, failed: s.failure_count ?? 0 })} ${idLink(this.saved!.id)}</p>
        ${(s.failures ?? []).map((f) => html`<p class="error">${text(f.id)}: ${text(f.message)}</p>`)}</div>` : nothing}`;
  }
}
customElements.define('kz-publish', KzPublish);
