// dependency-cruiser (npm run check:cycles, scripts/check-cycles.ts): no import cycle between
// files; the script adds the check between modules (src/modules/<name>).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Files must not import each other in a ring. A lazy import() that loads an optional part on first use (the S3 evidence store) may point back, and so may a type-only import within a layer (it is erased); between modules every import counts (scripts/check-cycles.ts).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import', 'type-only'] } },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
}
