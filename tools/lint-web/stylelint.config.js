// Stylelint for the portal's stylesheets (static/*.css), run by make lint-web: the
// recommended rules (mistakes: unknown or deprecated properties, invalid colours,
// duplicate selectors and properties, empty blocks, a rule shadowed by a more
// specific one before it), plus colours as numbers and zero lengths without units.
export default {
  extends: ['stylelint-config-recommended'],
  rules: {
    'color-named': 'never',
    'length-zero-no-unit': true,
  },
};
