// typescript-eslint's type-aware rules need TypeScript's JavaScript API, which TypeScript 7 (the
// native compiler the project typechecks with) no longer ships. The lint run alone therefore loads
// TypeScript 6.0 (the devDependency alias `typescript6`, same language as 7.0) wherever the linter
// asks for `typescript`. Loaded with `node --require` by `npm run lint`; nothing else uses it.
'use strict';
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'typescript' || request.startsWith('typescript/')) {
    return original.call(this, 'typescript6' + request.slice('typescript'.length), ...rest);
  }
  return original.call(this, request, ...rest);
};
