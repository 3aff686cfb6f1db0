// The one message catalogue: every text the console shows comes from i18n/{en,ja}.json by
// key. A missing key renders as the key itself and is recorded (the browser test asserts none).
import en from './i18n/en.json';
import ja from './i18n/ja.json';

export type Lang = 'en' | 'ja';
const catalogues: Record<Lang, Record<string, string>> = { en, ja };
const kStorageKey = 'kizuna.lang';

let current: Lang = (localStorage.getItem(kStorageKey) as Lang) in catalogues
  ? (localStorage.getItem(kStorageKey) as Lang) : (navigator.language.startsWith('ja') ? 'ja' : 'en');
export const missing = new Set<string>();
(window as unknown as { kzMissingMessages: Set<string> }).kzMissingMessages = missing;

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem(kStorageKey, l);
  document.documentElement.lang = l;
  window.dispatchEvent(new CustomEvent('kz-lang'));
}
document.documentElement.lang = current;

// The message `key` in the current language, with {name} replaced by vars[name].
export function t(key: string, vars?: Record<string, string | number>): string {
  let s = catalogues[current][key];
  if (s === undefined) {
    missing.add(key);
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  return s;
}

// Whether the catalogue has a message for `key` (for optional labels, such as STIX properties').
export function has(key: string): boolean {
  return key in catalogues[current];
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}

export function formatTime(ts: unknown): string {
  if (typeof ts !== 'string') return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(d) + ' UTC';
}
