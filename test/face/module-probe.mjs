// Loaded with --import before a process under test: appends every module it loads (ESM through a resolve hook,
// CommonJS through Module._load) to the file named by MODULE_PROBE_FILE, so a test can tell what it never loaded.
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { createRequire, register } from 'node:module';

const file = process.env.MODULE_PROBE_FILE;
if (file) {
  register('./module-probe-hooks.mjs', { parentURL: import.meta.url, data: { file } });
  const Module = createRequire(import.meta.url)('node:module');
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    appendFileSync(file, `cjs ${request} ${parent?.filename ?? ''}\n`);
    return load.call(this, request, parent, isMain);
  };
}
