// `node --import ./record-loads.mjs ...`: appends the URL of every module the program loads
// to $TEST_RECORD_LOADS (Node's public module hooks), so a test sees what a run loaded.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.TEST_RECORD_LOADS) appendFileSync(process.env.TEST_RECORD_LOADS, url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
