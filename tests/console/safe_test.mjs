// web/src/safe.ts, the rules for untrusted URLs and ids, run under Node (bundled by esbuild).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const { build } = createRequire(join(web, 'package.json'))('esbuild');
const out = await build({ entryPoints: [join(web, 'src/safe.ts')], bundle: true, format: 'esm', write: false });
const { safeUrl, isStixId, objectHref } = await import('data:text/javascript,' + encodeURIComponent(out.outputFiles[0].text));

test('only absolute http and https URLs are links', () => {
  assert.equal(safeUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
  assert.equal(safeUrl('http://example.org'), 'http://example.org/');
  for (const bad of ['javascript:alert(1)', ' javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)',
                     'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//example.org/x', '/relative',
                     'file:///etc/passwd', '', null, 42, {}, 'https://' + 'a'.repeat(3000)]) {
    assert.equal(safeUrl(bad), null, String(bad));
  }
});

test('STIX ids are recognised strictly and routed encoded', () => {
  assert.ok(isStixId('indicator--00000000-0000-4000-8000-000000000001'));
  for (const bad of ['indicator--x', 'javascript:alert(1)--00000000-0000-4000-8000-000000000001',
                     '<b>--00000000-0000-4000-8000-000000000001', 'indicator--00000000-0000-4000-8000-000000000001"']) {
    assert.ok(!isStixId(bad), bad);
  }
  assert.equal(objectHref('indicator--00000000-0000-4000-8000-000000000001'),
               '#/object/indicator--00000000-0000-4000-8000-000000000001');
});
