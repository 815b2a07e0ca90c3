// `npm pack` (prepack/postpack): the packed package.json has no `scripts`. They only make
// sense in this repository (the tarball has no scripts/), and npm 11 warns on install about
// a package with a `prepare` script. prepack saves package.json and writes it without them;
// postpack puts the saved one back. A run that fails between them leaves
// package.json.pack-orig behind: `node scripts/pack-manifest.mjs restore` puts it back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const SAVED = 'package.json.pack-orig';
const mode = process.argv[2];

if (mode === 'strip') {
  if (existsSync(SAVED))
    throw new Error(`${SAVED} exists: run 'node scripts/pack-manifest.mjs restore' first`);
  const text = readFileSync('package.json', 'utf8');
  writeFileSync(SAVED, text);
  const { scripts: _scripts, ...manifest } = JSON.parse(text);
  writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(SAVED)) renameSync(SAVED, 'package.json');
} else {
  throw new Error('usage: node scripts/pack-manifest.mjs strip|restore');
}
