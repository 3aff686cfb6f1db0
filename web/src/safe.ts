// Rules for untrusted text from STIX objects: the console renders it only through Lit's text
// and attribute bindings (never as HTML), and links only http(s) URLs; anything else (a
// `javascript:` or `data:` URL) is shown as inert text.

const kMaxUrlLength = 2048;

// The URL if it is an absolute http or https URL, or null.
export function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > kMaxUrlLength) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

const kStixId = /^[a-z0-9][a-z0-9-]{0,99}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Whether a value is a STIX identifier (linked to its object page).
export function isStixId(value: unknown): value is string {
  return typeof value === 'string' && kStixId.test(value);
}

// Route to an object's page.
export function objectHref(id: string): string {
  return '#/object/' + encodeURIComponent(id);
}
