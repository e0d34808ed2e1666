import { CopyButton } from './copy-button';

interface SecretValueProps {
  value: string;
  /** Names the value for screen readers (and the browser test): "New API key". */
  label: string;
  copyLabel: string;
}

/** A value to copy once (a new key, a password, the base URL), with a copy button beside it. */
export function SecretValue({ value, label, copyLabel }: SecretValueProps) {
  return (
    <div className="secret">
      <code aria-label={label}>{value}</code>
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
