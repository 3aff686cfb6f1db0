// An object's page: the marking as a banner, its fields rendered for people (then the raw
// JSON on demand), versions, provenance, relationships, related objects and why, sightings.
// Everything comes from GET /api/v1/objects/{id} and /related, both released reads. Untrusted
// text goes through text bindings only; external references link only http(s) URLs.
import { html, nothing, type TemplateResult } from 'lit';
import { api } from '../api';
import { KzElement } from '../element';
import { formatTime, has, t } from '../i18n';
import { isStixId, safeUrl } from '../safe';
import { displayName, type StixObject } from '../stix';
import { errorLine, idLink, loadingLine, text } from './common';

interface Marking {
  tlp?: string;
  statements?: string[];
  release?: string[];
}
interface Provenance {
  source: string;
  peer?: string;
  nation?: string;
  organization?: string;
  version?: string;
  received?: string;
}
interface ObjectAnswer {
  object: StixObject;
  versions: { modified: string; date_added: string }[];
  marking: Marking;
  provenance: Provenance[];
  relationships: StixObject[];
  sightings: StixObject[];
  collections: string[];
}
interface Related {
  more: boolean;
  results: { id: string; type: string; name?: string; reasons?: Record<string, unknown>[] }[];
}

// Properties shown first, in this order, with their own labels; the rest follow by name.
const kLeading = ['name', 'description', 'pattern', 'pattern_type', 'indicator_types', 'valid_from',
  'valid_until', 'labels', 'aliases', 'first_seen', 'last_seen', 'confidence', 'created_by_ref',
  'created', 'modified', 'revoked'];
const kHidden = new Set(['type', 'id', 'spec_version', 'object_marking_refs', 'granular_markings',
  'external_references', 'kill_chain_phases']);
const kTimes = new Set(['created', 'modified', 'valid_from', 'valid_until', 'first_seen', 'last_seen']);

function value(key: string, v: unknown): TemplateResult | string {
  if (kTimes.has(key)) return formatTime(v);
  if (isStixId(v)) return idLink(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return html`<ul class="inline">${v.map((x) => html`<li>${isStixId(x) ? idLink(x) : x}</li>`)}</ul>`;
  }
  if (key === 'pattern' || key === 'description') return html`<div class=${key}>${text(v)}</div>`;
  if (v !== null && typeof v === 'object') return html`<pre>${JSON.stringify(v, null, 2)}</pre>`;
  return text(v);
}

function externalReference(r: Record<string, unknown>): TemplateResult {
  const url = safeUrl(r.url);
  const label = text(r.source_name) + (r.external_id ? ' ' + text(r.external_id) : '');
  return html`<li>${url ? html`<a href=${url} rel="noopener noreferrer nofollow" target="_blank">${label || url}</a>`
    : html`<span>${label}</span>${r.url !== undefined ? html` <code class="inert">${text(r.url)}</code>` : nothing}`}
    ${r.description ? html` — ${text(r.description)}` : nothing}</li>`;
}

export function markingBanner(m: Marking | undefined): TemplateResult {
  const tlp = (m?.tlp ?? '').toLowerCase();
  const cls = ['clear', 'white', 'green', 'amber', 'amber+strict', 'red'].includes(tlp)
    ? tlp.replace('+', '-') : 'none';
  const parts = [tlp ? 'TLP:' + tlp.toUpperCase() : t('marking.noTlp')];
  if (m?.release?.length) parts.push('REL TO ' + m.release.join(', '));
  for (const s of m?.statements ?? []) parts.push(s);
  return html`<div class="banner tlp-${cls}" role="note" aria-label=${t('marking.banner')}>${parts.join(' // ')}</div>`;
}

class KzObject extends KzElement {
  static properties = { objectId: { attribute: false }, data: { state: true }, related: { state: true },
                        error: { state: true } };
  declare objectId: string;
  declare data: ObjectAnswer | null;
  declare related: Related | null;
  declare error: unknown;

  constructor() {
    super();
    this.objectId = '';
    this.data = null;
    this.related = null;
    this.error = null;
  }

  willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('objectId')) this.load();
  }

  private async load(): Promise<void> {
    const id = this.objectId;
    this.data = null;
    this.related = null;
    this.error = null;
    const path = '/api/v1/objects/' + encodeURIComponent(id);
    const related = api<Related>('GET', path + '/related?limit=50').catch(() => null);
    try {
      const data = await api<ObjectAnswer>('GET', path);
      if (id !== this.objectId) return;
      this.data = data;
      this.related = await related;
    } catch (e) {
      this.error = e;
    }
    this.painted('object');
  }

  private fields(o: StixObject) {
    const keys = [...kLeading.filter((k) => k in o),
      ...Object.keys(o).filter((k) => !kLeading.includes(k) && !kHidden.has(k)).sort()];
    return html`<dl class="fields">${keys.map((k) => html`<dt>${has('field.' + k) ? t('field.' + k) : k}</dt>
      <dd>${value(k, o[k])}</dd>`)}</dl>`;
  }

  private relationships(d: ObjectAnswer) {
    if (!d.relationships?.length) return html`<p>${t('object.none')}</p>`;
    return html`<ul>${d.relationships.map((r) => html`<li>${idLink(r.source_ref)}
      <strong>${text(r.relationship_type)}</strong> ${idLink(r.target_ref)}
      (${idLink(r.id, t('object.relationship'))})</li>`)}</ul>`;
  }

  private relatedList() {
    const r = this.related;
    if (!r?.results?.length) return html`<p>${t('object.none')}</p>`;
    return html`<ul>${r.results.map((x) => html`<li>${idLink(x.id, text(x.name) || x.id)} <span class="type">${text(x.type)}</span>
      <ul class="reasons">${(x.reasons ?? []).map((why) => html`<li>${t('related.' + text(why.relation))}
        ${why.path ? html`<code>${text(why.path)}</code>` : nothing}
        ${why.value ? html`= <code>${text(why.value)}</code>` : nothing}
        ${why.relationship_type ? html`(${text(why.relationship_type)})` : nothing}
        ${why.via ? html`${t('related.via')} ${idLink(why.via)}` : nothing}</li>`)}</ul></li>`)}</ul>
      ${r.more ? html`<p>${t('object.more')}</p>` : nothing}`;
  }

  private sightings(d: ObjectAnswer) {
    if (!d.sightings?.length) return html`<p>${t('object.none')}</p>`;
    return html`<table><thead><tr><th scope="col">${t('sightings.sighting')}</th><th scope="col">${t('sightings.count')}</th>
      <th scope="col">${t('sightings.firstSeen')}</th><th scope="col">${t('sightings.lastSeen')}</th></tr></thead>
      <tbody>${d.sightings.map((s) => html`<tr><td>${idLink(s.id)}</td><td>${text(s.count)}</td>
        <td>${formatTime(s.first_seen)}</td><td>${formatTime(s.last_seen)}</td></tr>`)}</tbody></table>`;
  }

  render() {
    const d = this.data;
    if (this.error) return html`<h1>${t('object.title')}</h1>${errorLine(this.error)}`;
    if (!d) return loadingLine();
    const o = d.object;
    const refs = Array.isArray(o.external_references) ? (o.external_references as Record<string, unknown>[]) : [];
    const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as Record<string, unknown>[]) : [];
    return html`${markingBanner(d.marking)}
      <h1><span class="type">${o.type}</span> ${displayName(o)}</h1>
      <p class="id"><code>${o.id}</code></p>
      ${this.fields(o)}
      ${refs.length ? html`<h2>${t('object.references')}</h2><ul class="refs">${refs.map(externalReference)}</ul>` : nothing}
      ${phases.length ? html`<h2>${t('object.phases')}</h2><ul>${phases.map((p) =>
        html`<li>${text(p.kill_chain_name)}: ${text(p.phase_name)}</li>`)}</ul>` : nothing}
      <h2>${t('object.versions')}</h2>
      <ol class="versions">${(d.versions ?? []).map((v) => html`<li>${t('object.version', {
        modified: formatTime(v.modified), added: formatTime(v.date_added) })}</li>`)}</ol>
      <h2>${t('object.provenance')}</h2>
      <ul>${(d.provenance ?? []).map((p) => html`<li>${p.source === 'peer'
        ? t('provenance.peer', { peer: text(p.peer), nation: text(p.nation), received: formatTime(p.received) })
        : t('provenance.local', { received: formatTime(p.received) })}${p.version ? html` (${t('provenance.version',
          { version: formatTime(p.version) })})` : nothing}${p.organization ? html` — ${idLink(p.organization)}` : nothing}</li>`)}</ul>
      <h2>${t('object.collections')}</h2>
      <ul>${(d.collections ?? []).map((c) => html`<li><a href="#/browse?collection=${encodeURIComponent(c)}">${c}</a></li>`)}</ul>
      <h2>${t('object.relationships')}</h2>${this.relationships(d)}
      <h2>${t('object.related')}</h2>${this.relatedList()}
      <h2>${t('object.sightings')}</h2>${this.sightings(d)}
      <details><summary>${t('object.json')}</summary><pre class="json">${JSON.stringify(o, null, 2)}</pre></details>`;
  }
}
customElements.define('kz-object', KzObject);
