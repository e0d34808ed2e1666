import { CopyButton } from './copy-button';

/** A block of code with a copy button; `label` names it for screen readers and the button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <pre className="code-block" aria-label={label}>
      <code>{code}</code>
      <span className="code-block-copy">
        <CopyButton text={code} label={`Copy ${label}`} />
      </span>
    </pre>
  );
}
