// STIX knowledge the console needs: TLP 2.0 marking ids, the releasability and recipients
// extensions (docs/policy.md), identifiers, and a person's reading of an object's name.

export const kTlp: Record<string, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
export const kReleasableTo = 'extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde';
export const kRecipients = 'extension-definition--15bbcb9f-57f4-4991-93cf-48742c0df705';

export type StixObject = Record<string, unknown> & { id: string; type: string };

export function newId(type: string): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${type}--${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function stixNow(): string {
  return new Date().toISOString();
}

// A marking definition releasing to nations and communities (REL TO ...).
export function releasableTo(names: string[], creator?: string): StixObject {
  const o: StixObject = {
    type: 'marking-definition', spec_version: '2.1', id: newId('marking-definition'), created: stixNow(),
    name: 'REL TO ' + names.join(', '),
    extensions: { [kReleasableTo]: { extension_type: 'property-extension', releasable_to: names } },
  };
  if (creator) o.created_by_ref = creator;
  return o;
}

// A marking definition naming the organisations (identity ids) an object is released to.
export function recipients(ids: string[], creator?: string): StixObject {
  const o: StixObject = {
    type: 'marking-definition', spec_version: '2.1', id: newId('marking-definition'), created: stixNow(),
    name: 'recipients',
    extensions: { [kRecipients]: { extension_type: 'property-extension', recipients: ids } },
  };
  if (creator) o.created_by_ref = creator;
  return o;
}

// What to call an object: its name, or another telling property, or its id.
export function displayName(o: Record<string, unknown>): string {
  for (const k of ['name', 'value', 'pattern', 'relationship_type', 'path', 'body']) {
    if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  }
  return typeof o.id === 'string' ? o.id : '';
}

export const kObjectTypes = [
  'indicator', 'malware', 'threat-actor', 'intrusion-set', 'campaign', 'attack-pattern', 'tool',
  'vulnerability', 'report', 'sighting', 'relationship', 'identity', 'infrastructure', 'note',
  'observed-data', 'course-of-action', 'location', 'grouping',
];
