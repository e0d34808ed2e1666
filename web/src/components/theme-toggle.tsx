import { useTheme } from '../theme/theme';

/** Switches between light and dark; the choice is remembered on this browser. */
export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="button button-ghost button-small"
      onClick={toggle}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      <span className="hide-on-phone">{theme === 'dark' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
