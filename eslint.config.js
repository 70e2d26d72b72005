import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top first (docs/architecture.md): a folder imports only from the folders below it, never
 * from one above. The files at the root of src/ (herald.ts, delivery-thread.ts, runtime.ts, index.ts, verify.ts) sit between the CLI
 * and the API.
 */
const LAYERS = [
  'cli',
  'api',
  'services',
  'delivery',
  'templates',
  'security',
  'store',
  'signing',
  'config',
  'util',
];
/** Database drivers and the query builder: only the store talks to a database. */
const DATABASE_PACKAGES = ['kysely', 'pg', 'better-sqlite3'];

/** The store's contract is `store/index.ts`: the other files of src/store are its implementation. */
const STORE_INTERNALS = {
  regex: '^(\\.\\.?/)+store/(?!index\\.js$)',
  message: 'Import the store through store/index.js: its other files are the implementation.',
};

function layerRules(layer) {
  const above = LAYERS.slice(0, LAYERS.indexOf(layer));
  const patterns = above.map((upper) => ({
    regex: `^(\\.\\./)+${upper}/`,
    message: `src/${layer} sits below src/${upper}: it must not import from it (see docs/architecture.md).`,
  }));
  // The files at the root of src/ sit above every folder but the CLI.
  if (layer !== 'cli')
    patterns.push({
      regex: '^(\\.\\./)+(herald|delivery-thread|runtime|index|verify)\\.js$',
      message: `src/${layer} must not import the process's entry points at the root of src/.`,
    });
  if (layer !== 'store') patterns.push(STORE_INTERNALS);
  const paths =
    layer === 'store'
      ? []
      : DATABASE_PACKAGES.map((name) => ({ name, message: 'Only src/store talks to the database.' }));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'data/',
      'coverage/',
      'node_modules/',
      'web/dist/',
      'bench/dist/',
      '.bench-dist/',
      '.compat-doc-dist/',
      '.preview-dist/',
      'scripts/grafana-preview/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...LAYERS.map(layerRules),
  {
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: DATABASE_PACKAGES.map((name) => ({
            name,
            message: 'Only src/store talks to the database.',
          })),
          patterns: [
            { regex: '^\\./cli/', message: 'The CLI sits above the entry points at the root of src/.' },
            STORE_INTERNALS,
          ],
        },
      ],
    },
  },
  {
    // The dashboard (React): the rules of hooks, and complete effect dependencies.
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
