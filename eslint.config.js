// Lint: typescript-eslint's recommended rules on every TypeScript source, plus the borders between rooms (each
// service imports only core/ and its own files; core imports no service) and no package missing from package.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** An import of another room, as a relative path: `../../analytics/…` from the gateway, and so on. */
const room = (names, why) => ({ regex: `^(\\.\\.?/)+(${names.join('|')})/`, message: why });
const borders = (rooms) => ({ 'no-restricted-imports': ['error', { patterns: rooms }] });
const SERVICE = 'services share only core/ (docs/ARCHITECTURE.md, "Rooms"): move what both need into core/, or talk over the bus';

export default tseslint.config(
  { ignores: ['node_modules/', 'dashboard/dist/', 'data/', 'coverage/', '**/.scratch*/', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['core/**'],
    rules: borders([
      room(
        ['gateway', 'ingest', 'analytics', 'fixtures', 'dashboard', 'test', 'bench'],
        'core/ is the shared library and imports no service',
      ),
    ]),
  },
  { files: ['gateway/**'], rules: borders([room(['ingest', 'analytics', 'fixtures', 'dashboard'], SERVICE)]) },
  { files: ['ingest/**'], rules: borders([room(['gateway', 'analytics', 'fixtures', 'dashboard'], SERVICE)]) },
  { files: ['analytics/**'], rules: borders([room(['gateway', 'ingest', 'fixtures', 'dashboard'], SERVICE)]) },
  {
    files: ['dashboard/src/**'],
    rules: borders([room(['ingest', 'analytics', 'fixtures'], 'the dashboard takes types from core/ and gateway/schemas only')]),
  },
  {
    // Every package a file imports is declared; the services' code uses no devDependency (a production install lacks them).
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, optionalDependencies: true, peerDependencies: false }],
    },
  },
  {
    files: ['test/**', 'bench/**', 'fixtures/**', 'scripts/**', 'dashboard/**', '**/*.spec.ts', '*.config.{js,ts}', '.ci/**'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: true, peerDependencies: false }],
    },
  },
);
