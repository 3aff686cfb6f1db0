// The base of the console's elements: rendered into the light DOM (so app.css styles them and
// no style element is needed under the CSP), re-rendered when the language changes, and able
// to mark "painted" for the benchmark (bench/console) once its data are on screen.
import { LitElement } from 'lit';

export class KzElement extends LitElement {
  private onLang = () => this.requestUpdate();

  createRenderRoot(): HTMLElement {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('kz-lang', this.onLang);
  }

  disconnectedCallback(): void {
    window.removeEventListener('kz-lang', this.onLang);
    super.disconnectedCallback();
  }

  // Records a performance mark "kz-painted" after the next frame has been painted.
  protected async painted(page: string): Promise<void> {
    await this.updateComplete;
    requestAnimationFrame(() => setTimeout(() => performance.mark('kz-painted', { detail: page }), 0));
  }
}
