// ESLint for the portal's scripts (static/*.js, ES modules in the browser), run by
// make lint-web from the module root. The recommended rules, plus the page's own:
// no markup from strings (the pages put every text in with textContent, and the
// Content-Security-Policy forbids inline code), no eval, strict equality.
import js from '@eslint/js';
import globals from 'globals';

const markup = 'Put text in with textContent or build nodes; markup from strings is how injection starts.';

export default [
  { ignores: ['static/vendor/**'] },
  js.configs.recommended,
  {
    files: ['static/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: markup },
        { property: 'outerHTML', message: markup },
        { property: 'insertAdjacentHTML', message: markup },
        { object: 'document', property: 'write', message: markup },
      ],
    },
  },
];
