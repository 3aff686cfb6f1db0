// Organisation: its users and their tokens, for organisation and node administrators
// (GET/POST /api/v1/users...). The node decides who may do what (an organisation admin acts
// in its own organisation only and never grants node-admin or peer); this page only offers
// the roles the signed-in user may grant. A new token or password is shown once.
import { html, nothing } from 'lit';
import { api, query, type Session } from '../api';
import { KzElement } from '../element';
import { formatTime, t } from '../i18n';
import { errorLine, loadingLine, text } from './common';

interface Token {
  id: string;
  label: string;
  expires: string | null;
  revoked: string | null;
  last_used: string | null;
}
interface User {
  name: string;
  roles: string[];
  disabled: boolean;
  last_used: string | null;
  tokens: Token[];
}
interface Org {
  id: string;
  name: string;
  nation: string;
}
interface Listing {
  organization: Org;
  organizations: Org[];
  users: User[];
}
// A secret the node gave once: a token's text or a generated password.
interface Secret {
  user: string;
  kind: 'token' | 'password';
  value: string;
}

const kOrgRoles = ['reader', 'publisher', 'org-admin'];
const kNodeRoles = [...kOrgRoles, 'node-admin', 'peer'];

class KzOrganisation extends KzElement {
  static properties = { session: { attribute: false }, data: { state: true }, error: { state: true },
                        secret: { state: true }, busy: { state: true } };
  declare session: Session;
  declare data: Listing | null;
  declare error: unknown;
  declare secret: Secret | null;
  declare busy: boolean;
  private org = '';

  constructor() {
    super();
    this.data = null;
    this.error = null;
    this.secret = null;
    this.busy = false;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.load();
  }

  private grantable(): string[] {
    return this.session.roles.includes('node-admin') ? kNodeRoles : kOrgRoles;
  }

  private async load(): Promise<void> {
    try {
      this.data = await api<Listing>('GET', '/api/v1/users' + query({ organization: this.org }));
      this.org = this.data.organization.id;
    } catch (e) {
      this.error = e;
    }
    this.painted('organisation');
  }

  // Runs one write, then reloads the list; the node's refusal shows as the error line.
  private async act(write: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    this.secret = null;
    try {
      await write();
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
    }
    await this.load();
  }

  private userPath(name: string, rest = ''): string {
    return `/api/v1/users/${encodeURIComponent(name)}${rest}`;
  }

  private rolesOf(form: HTMLFormElement): string[] {
    return new FormData(form).getAll('role').map(String);
  }

  private addUser(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '');
    this.act(async () => {
      await api('POST', '/api/v1/users', { json: { name, roles: this.rolesOf(form), organization: this.org } });
      form.reset();
    });
  }

  private setRoles(e: Event, user: User): void {
    e.preventDefault();
    const roles = this.rolesOf(e.target as HTMLFormElement);
    this.act(async () => void (await api('POST', this.userPath(user.name), { json: { roles } })));
  }

  private setDisabled(user: User): void {
    this.act(async () => void (await api('POST', this.userPath(user.name), { json: { disabled: !user.disabled } })));
  }

  private issueToken(user: User): void {
    this.act(async () => {
      const r = await api<{ token: string }>('POST', this.userPath(user.name, '/tokens'), { json: { label: 'console' } });
      this.secret = { user: user.name, kind: 'token', value: r.token };
    });
  }

  private revoke(user: User, token: Token): void {
    this.act(async () => void (await api('DELETE', this.userPath(user.name, `/tokens/${encodeURIComponent(token.id)}`))));
  }

  private resetPassword(user: User): void {
    this.act(async () => {
      const r = await api<{ password: string }>('POST', this.userPath(user.name, '/password'), { json: {} });
      this.secret = { user: user.name, kind: 'password', value: r.password };
    });
  }

  private roleBoxes(checked: string[], idPrefix: string) {
    return this.grantable().map((r) => html`<label for="${idPrefix}-${r}"><input type="checkbox" name="role"
      id="${idPrefix}-${r}" value=${r} ?checked=${checked.includes(r)}>${t('org.role.' + r)}</label>`);
  }

  private tokens(user: User) {
    if (!user.tokens.length) return t('org.noTokens');
    return html`<ul class="tokens">${user.tokens.map((k) => html`<li><code>${text(k.id)}</code> ${text(k.label)}
      ${k.revoked ? t('org.revoked') : html`<button type="button" ?disabled=${this.busy}
        aria-label=${t('org.revokeToken', { id: k.id })} @click=${() => this.revoke(user, k)}>${t('org.revoke')}</button>`}</li>`)}</ul>`;
  }

  private userRow(u: User, i: number) {
    return html`<tr>
      <th scope="row">${text(u.name)}</th>
      <td><form class="roles" @submit=${(e: Event) => this.setRoles(e, u)}>
        <fieldset><legend>${t('org.rolesOf', { user: u.name })}</legend>${this.roleBoxes(u.roles, `u${i}`)}</fieldset>
        <button type="submit" ?disabled=${this.busy}>${t('org.saveRoles')}</button></form></td>
      <td>${u.disabled ? t('org.disabled') : t('org.enabled')}</td>
      <td>${formatTime(u.last_used)}</td>
      <td>${this.tokens(u)}</td>
      <td class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => this.setDisabled(u)}>${u.disabled ? t('org.enable') : t('org.disable')}</button>
        <button type="button" ?disabled=${this.busy} @click=${() => this.issueToken(u)}>${t('org.issueToken')}</button>
        <button type="button" ?disabled=${this.busy} @click=${() => this.resetPassword(u)}>${t('org.resetPassword')}</button>
      </td></tr>`;
  }

  render() {
    const d = this.data;
    const s = this.secret;
    return html`<h1>${t('org.title')}${d ? html`: ${text(d.organization.name)} (${text(d.organization.nation)})` : nothing}</h1>
      ${d && d.organizations.length > 1 ? html`<label>${t('org.pick')}<select @change=${(e: Event) => {
        this.org = (e.target as HTMLSelectElement).value;
        this.load();
      }}>${d.organizations.map((o) => html`<option value=${o.id} ?selected=${o.id === d.organization.id}>${o.name} (${o.nation})</option>`)}</select></label>` : nothing}
      ${errorLine(this.error)}
      ${s ? html`<p class="secret" role="status">${t(s.kind === 'token' ? 'org.tokenOnce' : 'org.passwordOnce', { user: s.user })}
        <output><code>${s.value}</code></output></p>` : nothing}
      ${!d && !this.error ? loadingLine() : nothing}
      ${d ? html`<table class="users">
        <thead><tr><th scope="col">${t('org.user')}</th><th scope="col">${t('org.roles')}</th><th scope="col">${t('org.state')}</th>
          <th scope="col">${t('org.lastUsed')}</th><th scope="col">${t('org.tokens')}</th><th scope="col">${t('org.actions')}</th></tr></thead>
        <tbody>${d.users.map((u, i) => this.userRow(u, i))}</tbody></table>
        <h2>${t('org.addUser')}</h2>
        <form class="add-user" @submit=${(e: Event) => this.addUser(e)}>
          <label>${t('org.user')}<input name="name" required maxlength="64" pattern="[A-Za-z0-9._@\\-]+"></label>
          <fieldset><legend>${t('org.roles')}</legend>${this.roleBoxes(['reader'], 'new')}</fieldset>
          <button type="submit" class="primary" ?disabled=${this.busy}>${t('org.add')}</button>
        </form>` : nothing}`;
  }
}
customElements.define('kz-organisation', KzOrganisation);
