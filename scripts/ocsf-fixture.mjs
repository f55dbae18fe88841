#!/usr/bin/env node
// Writes test/fixtures/ocsf/ocsf-1.8.0-classes.json: the OCSF 1.8.0 classes Hel maps to, with every
// object they reach, from the resolved schema extract (shared/reference/ocsf/classes.json, Apache-2.0,
// see test/fixtures/ocsf/NOTICE.md). Run it when Hel maps to a new class:
//   node scripts/ocsf-fixture.mjs PATH/TO/classes.json 3001 3002 3004 3005 3006 6003
import { readFileSync, writeFileSync } from 'node:fs';

const [source, ...uids] = process.argv.slice(2);
if (!source || uids.length === 0) {
  console.error('usage: node scripts/ocsf-fixture.mjs CLASSES_JSON CLASS_UID...');
  process.exit(2);
}
const schema = JSON.parse(readFileSync(source, 'utf8'));
const classes = Object.fromEntries(
  uids.map((uid) => {
    const cls = schema.classes[uid];
    if (!cls) throw new Error(`no class ${uid} in ${source}`);
    return [uid, cls];
  }),
);
const objects = {};
const visit = (attributes) => {
  for (const attr of Object.values(attributes)) {
    const name = attr.object_type;
    if (name && !objects[name]) {
      objects[name] = schema.objects[name];
      visit(schema.objects[name].attributes);
    }
  }
};
for (const cls of Object.values(classes)) visit(cls.attributes);
const { schema: about, format, type_uid_formula, categories, profiles, types } = schema;
const out = {
  $comment: `Derived from ocsf-schema ${about.version} (Apache-2.0); classes ${uids.join(', ')} and the objects they reach. Made by scripts/ocsf-fixture.mjs.`,
  schema: about,
  format,
  type_uid_formula,
  categories,
  profiles,
  types,
  classes,
  objects,
};
writeFileSync('test/fixtures/ocsf/ocsf-1.8.0-classes.json', JSON.stringify(out));
console.log(`${Object.keys(classes).length} classes, ${Object.keys(objects).length} objects`);
