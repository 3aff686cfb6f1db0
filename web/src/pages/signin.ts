// Sign-in: a user name and password, or an API token; POST /api/v1/session.
import { html, nothing } from 'lit';
import { api, ApiError, type Session } from '../api';
import { KzElement } from '../element';
import { t } from '../i18n';

class KzSignin extends KzElement {
  static properties = { expired: { type: Boolean }, mode: { state: true }, error: { state: true },
                        busy: { state: true } };
  declare expired: boolean;
  declare mode: 'password' | 'token';
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.expired = false;
    this.mode = 'password';
    this.error = '';
    this.busy = false;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const body = this.mode === 'token' ? { token: String(form.get('token') ?? '') }
      : { user: String(form.get('user') ?? ''), password: String(form.get('password') ?? '') };
    this.busy = true;
    this.error = '';
    try {
      const s = await api<Session>('POST', '/api/v1/session', { json: body });
      this.dispatchEvent(new CustomEvent<Session>('kz-session', { detail: s, bubbles: true }));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      this.error = t(status === 429 ? 'signin.limited' : status === 401 ? 'signin.failed' : 'error.failed');
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`<h1>${t('signin.title')}</h1>
      ${this.expired ? html`<p class="notice" role="status">${t('signin.expired')}</p>` : nothing}
      <form class="signin" @submit=${this.submit}>
        <fieldset>
          <legend>${t('signin.method')}</legend>
          <label><input type="radio" name="mode" value="password" ?checked=${this.mode === 'password'}
            @change=${() => (this.mode = 'password')}>${t('signin.withPassword')}</label>
          <label><input type="radio" name="mode" value="token" ?checked=${this.mode === 'token'}
            @change=${() => (this.mode = 'token')}>${t('signin.withToken')}</label>
        </fieldset>
        ${this.mode === 'password' ? html`
          <label>${t('signin.user')}<input name="user" autocomplete="username" required maxlength="256"></label>
          <label>${t('signin.password')}<input name="password" type="password" autocomplete="current-password"
            required maxlength="1024"></label>` : html`
          <label>${t('signin.token')}<input name="token" type="password" autocomplete="off" required maxlength="1024">
          </label>`}
        <button type="submit" ?disabled=${this.busy}>${t('signin.submit')}</button>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      </form>`;
  }
}
customElements.define('kz-signin', KzSignin);
