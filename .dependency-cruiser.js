/**
 * Boundaries DESIGN.md promises, checked by tests/architecture.spec.ts:
 * services talk only through Kafka, and domain rules stay free of frameworks and databases.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-service-imports-another-service',
      comment: 'A service talks to another only through events on Kafka.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'libs-do-not-import-services',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^services/' },
    },
    {
      name: 'libs-do-not-import-tools-or-scripts',
      comment: 'Imports run downwards: tools/ and scripts/ stand on the libs, never the other way round.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(tools|scripts)/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure rules: no Nest, no TypeORM, no Kafka, no database driver, no HTTP.',
      severity: 'error',
      from: { path: '(^|/)domain/' },
      to: {
        path: [
          'node_modules/@nestjs/',
          'node_modules/typeorm/',
          'node_modules/kafkajs/',
          'node_modules/pg/',
          'node_modules/express/',
          '^libs/eventing/',
          '^libs/platform/',
          '(^|/)(persistence|http|events|providers|carriers|suppliers)/',
        ],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
