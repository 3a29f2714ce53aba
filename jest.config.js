// @nestjs/* 12, openid-client (with oauth4webapi and jose) and oidc-provider ship ES modules only;
// jest runs CommonJS, so swc transpiles those too (the built server loads them with Node's require(esm)).
const esmPackages = ['@nestjs', 'file-type', 'strtok3', 'token-types', 'uint8array-extras', '@tokenizer', '@tus', 'srvx', 'openid-client', 'oauth4webapi', 'jose', 'oidc-provider'];

const swcTs = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const swcJs = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swcTs, '^.+\\.m?js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@parley/contract$': '<rootDir>/backend/src/contract/index.ts',
    '^@parley/contract/schemas$': '<rootDir>/backend/src/contract/schemas/index.ts',
  },
};

const { createCjsPreset } = require('jest-preset-angular/presets');

/** @type {import('jest').Config} */
module.exports = {
  // A cold CI run transpiles @nestjs on first import inside a hook, and browser steps wait on
  // real rendering; give both room (a hang still fails, it is not a speed check).
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/backend/src'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
    // The main whole-server specs again, on PostgreSQL (PARLEY_DATABASE_URL): same behaviour,
    // same tests. Each server gets a fresh schema, dropped when it stops.
    {
      ...common,
      displayName: 'e2e-postgres',
      roots: ['<rootDir>/test'],
      testMatch: ['messaging', 'chat-features', 'auth', 'prototype-protocol', 'roster', 'audit-log', 'bad-input', 'account-deletion', 'enumeration', 'conversations', 'channels', 'announcements', 'message-lifecycle', 'message-purge', 'read-receipts', 'retention', 'export', 'search', 'files', 'account', 'directory', 'oidc', 'webhooks', 'bots', 'backup'].map(
        // Rooted at test/: a bare **/name would also match the browser spec of the same name.
        (name) => `<rootDir>/test/${name}.e2e-spec.ts`,
      ),
      setupFiles: ['<rootDir>/test/support/use-postgres.ts'],
    },
    {
      ...createCjsPreset({ tsconfig: '<rootDir>/frontend/tsconfig.spec.json' }),
      displayName: 'web',
      roots: ['<rootDir>/frontend/src'],
      testMatch: ['**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/frontend/setup-jest.ts'],
      moduleNameMapper: { '^@parley/contract$': '<rootDir>/backend/src/contract/index.ts' },
    },
  ],
};
