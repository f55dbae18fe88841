import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// The layers of src/, lowest first (docs/architecture.md#layers): a layer may import only from the
// layers before it, type imports included. src/*.ts are the kernel below everything. A layer is a
// folder, except config/: its model (the schema and the resolved types every layer reads) is the
// lowest layer, its loader (which runs the integrations' and hooks' checks) sits above integrations/.
// A new file of config/ is in the model until it is named in CONFIG_LOADER.
const CONFIG_LOADER = ['load.ts', 'semantic.ts', 'hints.ts', 'describe.ts', 'output-format.ts'];
const configFiles = (loader) =>
  readdirSync(join(import.meta.dirname, 'src/config'))
    .filter((f) => f.endsWith('.ts') && CONFIG_LOADER.includes(f) === loader)
    .map((f) => `./src/config/${f}`);
const folder = (name) => ({ name: `src/${name}`, paths: [`./src/${name}`] });
const LAYERS = [
  { name: 'the config model (src/config/ but the loader)', paths: configFiles(false) },
  ...['bus', 'secrets', 'pipeline', 'http', 'errors', 'resilience', 'log', 'hooks', 'sink', 'state', 'integrations'].map(folder),
  { name: `the config loader (src/config/{${CONFIG_LOADER.join(',')}})`, paths: configFiles(true) },
  ...['engine', 'app', 'server', 'report', 'cli'].map(folder),
];
const layerZones = LAYERS.slice(0, -1).map((layer, i) => ({
  target: layer.paths,
  from: LAYERS.slice(i + 1).flatMap((above) => above.paths),
  message: `${layer.name} sits below ${LAYERS.slice(i + 1)
    .map((above) => above.name)
    .join(', ')} (docs/architecture.md#layers); move the shared piece down to the layer that owns it.`,
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'examples/**', 'test-output/**', 'test/fixtures/helr-docs/hooks/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // No import cycles (docs/architecture.md#layers): a module's dependencies must be loadable before it.
    // Type-only imports are erased by tsc (consistent-type-imports marks them), so the rule follows the runtime graph.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import './x.js' for './x.ts' (NodeNext); resolve the way tsc does.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // Generic code knows integrations only through src/integrations/registry.ts (test/integrations/boundaries.test.ts checks dynamic imports too).
    files: ['src/**/*.ts'],
    ignores: ['src/integrations/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/integrations/*/**'], message: 'generic code must not import from an integration folder; go through src/integrations/registry.ts' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
