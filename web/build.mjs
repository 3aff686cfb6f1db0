// Builds the console into OUTDIR: index.html, app.js (the console), charts.js (Apache ECharts,
// loaded only by the pages that draw), app.css. No inline script or style: the node's
// Content-Security-Policy forbids them. Usage: node web/build.mjs OUTDIR [--check]
//   --check  also type-checks with tsc --noEmit first (fails the build on a type error)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--'));
if (!out) {
  console.error('usage: node web/build.mjs OUTDIR [--check]');
  process.exit(2);
}
const outdir = resolve(out);
mkdirSync(outdir, { recursive: true });

if (args.includes('--check')) {
  execFileSync(process.execPath, [join(web, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', web],
               { stdio: 'inherit' });
}

const common = { bundle: true, minify: true, format: 'iife', target: 'es2022', legalComments: 'none',
                 logLevel: 'warning', charset: 'utf8' };
await build({ ...common, entryPoints: [join(web, 'src/main.ts')], outfile: join(outdir, 'app.js') });
await build({ ...common, entryPoints: [join(web, 'src/charts.ts')], outfile: join(outdir, 'charts.js') });
for (const f of ['index.html', 'app.css']) copyFileSync(join(web, 'src', f), join(outdir, f));

const size = (f) => statSync(join(outdir, f)).size;
const gz = (f) => gzipSync(readFileSync(join(outdir, f)), { level: 9 }).length;
console.log(JSON.stringify({ outdir, app_js: size('app.js'), app_js_gzip: gz('app.js'),
                             charts_js: size('charts.js'), charts_js_gzip: gz('charts.js') }));
