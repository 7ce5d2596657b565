/**
 * Boundaries DESIGN.md promises, checked by tests/architecture.spec.ts:
 * services talk only through Kafka, and domain rules stay free of frameworks and databases.
 */

/**
 * The folders of a service's src/ that are layers, not use cases: everything else directly under
 * src/ is a use-case folder (place-order/, reserve-stock/, ...). `policies/` holds what several use
 * cases apply inside the unit of work they are given (the replenishment planner, the reservation
 * releaser, event builders, views): shared logic that needs the repositories, which domain/ may not.
 */
const LAYERS =
  'domain|policies|http|events|persistence|providers|carriers|suppliers|channels|platforms|scheduling';
const USE_CASE_FOLDER = `^services/([^/]+)/src/(?!(?:${LAYERS})/)([^/]+)/`;
const SPEC = '\\.(int-|e2e-)?spec\\.ts$';

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
        // The one ISO 4217 table, a file of libs/platform that imports nothing.
        pathNot: '^libs/platform/src/money/iso-4217\\.ts$',
        path: [
          'node_modules/@nestjs/',
          'node_modules/typeorm/',
          'node_modules/kafkajs/',
          'node_modules/pg/',
          'node_modules/express/',
          '^libs/eventing/',
          '^libs/platform/',
          '(^|/)(persistence|http|events|providers|carriers|suppliers|platforms)/',
        ],
      },
    },
    {
      name: 'edges-do-not-import-persistence',
      comment: 'Controllers and event handlers are thin: they call a use case, never a repository.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/(http|events)/' },
      to: { path: '^services/[^/]+/src/persistence/' },
    },
    {
      name: 'use-cases-do-not-import-each-other',
      comment:
        'A use case is one unit of work of its own; what two share lives in domain/ (pure) or ' +
        'policies/ (with repositories). Specs may arrange state through other use cases.',
      severity: 'error',
      from: { path: `${USE_CASE_FOLDER}[^/]+$`, pathNot: SPEC },
      to: { path: `^services/$1/src/(?!(?:${LAYERS})/)[^/]+/`, pathNot: `^services/$1/src/$2/` },
    },
    {
      name: 'policies-do-not-import-use-cases',
      comment: 'Use cases stand on policies, never the other way round.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/policies/' },
      to: { path: `^services/$1/src/(?!(?:${LAYERS})/)[^/]+/` },
    },
    {
      name: 'src-does-not-import-testing',
      comment: 'Production code never depends on the test harness or the fake partners.',
      severity: 'error',
      from: { path: '^(services|libs)/[^/]+/src/', pathNot: ['^libs/testing/', SPEC] },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'parties-share-no-vendor-code',
      comment:
        "The fakes in libs/testing/src/parties play the vendors, so they must not share the vendors' " +
        "libraries that Waybill's adapters use, nor Waybill's own Standard Webhooks, directly or " +
        'through another module: a bug both sides shared would pass every test. Specs beside the ' +
        'fakes may hold both sides, to prove they agree.',
      severity: 'error',
      from: { path: '^libs/testing/src/parties/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          'node_modules/stripe/',
          'node_modules/@easypost/api/',
          'node_modules/alipay-sdk/',
          'node_modules/standardwebhooks/',
          '^libs/platform/src/webhooks/standard-webhooks\\.ts$',
        ],
        reachable: true,
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
    // Build output of our own code; a package's dist/ in node_modules is what an import resolves to,
    // so excluding it too would hide those imports from every rule.
    // (safe-regex refuses an optional repeated group, hence the depths spelled out).
    exclude: {
      path: '^(dist|coverage)/|^(services|libs|tools)/[^/]+/(dist|coverage)/|^(services|libs|tools)/[^/]+/[^/]+/(dist|coverage)/',
    },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
