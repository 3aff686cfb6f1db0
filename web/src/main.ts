// The console: <kz-app> shows the sign-in page until a session exists, then the shell
// (navigation, language switch, sign-out) around the page of the current route.
import { html, nothing } from 'lit';
import { api, setCsrf, type Session } from './api';
import { forgetCollections } from './collections';
import { KzElement } from './element';
import { lang, setLang, t, type Lang } from './i18n';
import { currentRoute, type Route } from './router';
import './pages/signin';
import { loadCharts } from './pages/dashboard';
import './pages/collections';
import './pages/browse';
import './pages/object';
import './pages/sightings';
import './pages/partners';
import './pages/audit';
import './pages/organisation';
import './pages/publish';
import './pages/upload';
import './pages/exercises';
import './pages/brief';

const kPages: { page: string; key: string; admin?: boolean; nodeAdmin?: boolean; publisher?: boolean }[] = [
  { page: 'dashboard', key: 'nav.dashboard' },
  { page: 'collections', key: 'nav.collections' },
  { page: 'browse', key: 'nav.browse' },
  { page: 'sightings', key: 'nav.sightings' },
  { page: 'exercises', key: 'nav.exercises' },
  { page: 'brief', key: 'nav.brief' },
  { page: 'partners', key: 'nav.partners', nodeAdmin: true },
  { page: 'publish', key: 'nav.publish', publisher: true },
  { page: 'upload', key: 'nav.upload', publisher: true },
  { page: 'audit', key: 'nav.audit', admin: true },
  { page: 'organisation', key: 'nav.organisation', admin: true },
];

function isAdmin(s: Session): boolean {
  return s.roles.includes('node-admin') || s.roles.includes('org-admin');
}

function isNodeAdmin(s: Session): boolean {
  return s.roles.includes('node-admin');
}

function isPublisher(s: Session): boolean {
  return s.roles.includes('publisher') || isAdmin(s);
}

class KzApp extends KzElement {
  static properties = { session: { state: true }, route: { state: true }, checked: { state: true },
                        expired: { state: true } };
  declare session: Session | null;
  declare route: Route;
  declare checked: boolean;
  declare expired: boolean;

  constructor() {
    super();
    this.session = null;
    this.route = currentRoute();
    this.checked = false;
    // The dashboard's chart code loads while the session is checked, not after.
    if (this.route.page === 'dashboard') loadCharts().catch(() => undefined);
    this.expired = false;
    window.addEventListener('hashchange', () => {
      this.route = currentRoute();
    });
    window.addEventListener('kz-signed-out', (e) => {
      if (this.session) this.expired = Boolean((e as CustomEvent).detail?.expired);
      this.session = null;
      setCsrf('');
      forgetCollections();
    });
    document.addEventListener('click', () => performance.mark('kz-click'), { capture: true });
  }

  async firstUpdated(): Promise<void> {
    try {
      this.signedIn(await api<Session>('GET', '/api/v1/session'));
    } catch {
      this.session = null;
    }
    this.checked = true;
  }

  private signedIn(s: Session): void {
    forgetCollections();
    setCsrf(s.csrf);
    this.expired = false;
    this.session = s;
  }

  private async signOut(): Promise<void> {
    try {
      await api('DELETE', '/api/v1/session');
    } finally {
      setCsrf('');
      forgetCollections();
      this.session = null;
    }
  }

  private page() {
    const r = this.route;
    const s = this.session!;
    switch (r.page) {
      case 'dashboard': return html`<kz-dashboard></kz-dashboard>`;
      case 'collections': return html`<kz-collections></kz-collections>`;
      case 'browse': return html`<kz-browse .params=${r.params}></kz-browse>`;
      case 'object': return html`<kz-object .objectId=${r.arg}></kz-object>`;
      case 'sightings': return html`<kz-sightings></kz-sightings>`;
      case 'partners': return html`<kz-partners></kz-partners>`;
      case 'audit': return html`<kz-audit></kz-audit>`;
      case 'organisation': return html`<kz-organisation .session=${s}></kz-organisation>`;
      case 'publish': return html`<kz-publish .session=${s}></kz-publish>`;
      case 'upload': return html`<kz-upload></kz-upload>`;
      case 'exercises': return html`<kz-exercises></kz-exercises>`;
      case 'exercise': return html`<kz-exercise .exercise=${r.arg} .collection=${r.params.get('collection') ?? ''}></kz-exercise>`;
      case 'brief': return html`<kz-brief .session=${s}></kz-brief>`;
      default: return html`<h1>${t('page.notFound')}</h1>`;
    }
  }

  private langSwitch() {
    return html`<label class="lang">${t('shell.language')}
      <select @change=${(e: Event) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        <option value="en" ?selected=${lang() === 'en'}>English</option>
        <option value="ja" ?selected=${lang() === 'ja'}>日本語</option>
      </select></label>`;
  }

  render() {
    if (!this.checked) return html`<main><p role="status">${t('common.loading')}</p></main>`;
    if (!this.session) {
      return html`<header class="top"><span class="brand">Kizuna</span>${this.langSwitch()}</header>
        <main><kz-signin .expired=${this.expired} @kz-session=${(e: CustomEvent<Session>) => this.signedIn(e.detail)}>
        </kz-signin></main>`;
    }
    const s = this.session;
    const visible = kPages.filter((p) => (!p.admin || isAdmin(s)) && (!p.nodeAdmin || isNodeAdmin(s)) &&
      (!p.publisher || isPublisher(s)));
    return html`
      <header class="top">
        <span class="brand">Kizuna</span>
        <span class="who">${t('shell.signedInAs', { user: s.user, nation: s.nation })}</span>
        ${this.langSwitch()}
        <button type="button" class="signout" @click=${() => this.signOut()}>${t('shell.signOut')}</button>
      </header>
      <nav aria-label=${t('shell.navigation')}>
        <ul>${visible.map((p) => html`<li><a href="#/${p.page}"
          aria-current=${this.route.page === p.page ? 'page' : nothing}>${t(p.key)}</a></li>`)}</ul>
      </nav>
      <main>${this.page()}</main>`;
  }
}
customElements.define('kz-app', KzApp);
