// Two tiers: `unit` runs pure specs beside the code; `integration` runs against the real Kafka
// broker and Postgres that scripts/test.ts brings up (never mocks of either).
const moduleNameMapper = {
  '^@waybill/(contracts|eventing|local-infra|platform|testing)$': '<rootDir>/libs/$1/src',
  '^@waybill/(contracts|eventing|local-infra|platform|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.json' }],
};
const common = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,scripts,tools,tests}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{libs,services,tests}/**/*.e2e-spec.ts',
        '<rootDir>/{libs,services}/**/*.int-spec.ts',
      ],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/jest.integration-setup.ts'],
    },
  ],
};
