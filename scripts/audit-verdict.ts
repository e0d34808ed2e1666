/** What `npm audit --json` said about the runtime dependencies, and what the gate makes of it. */
export type AuditVerdict =
  | { kind: 'clean'; dependencies: number; lowerSeverity: number }
  | { kind: 'advisories'; findings: AuditFinding[] }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'unreadable'; reason: string };

export interface AuditFinding {
  name: string;
  severity: 'high' | 'critical';
  titles: string[];
}

const gated = new Set(['high', 'critical']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads npm's audit report (format 2: `vulnerabilities` by package, `metadata` with counts). An
 * answer without a report, carrying the registry's HTTP status instead, means the advisory
 * service could not be asked: some registries and mirrors answer the bulk advisory endpoint
 * with 405 or 404. That is "unavailable", never "clean".
 */
export function auditVerdict(output: string): AuditVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return { kind: 'unreadable', reason: `npm audit printed no JSON: ${output.slice(0, 200)}` };
  }
  if (!isRecord(parsed)) return { kind: 'unreadable', reason: 'npm audit printed no object' };
  const metadata = parsed.metadata;
  const vulnerabilities = parsed.vulnerabilities;
  if (isRecord(metadata) && isRecord(vulnerabilities)) {
    const findings: AuditFinding[] = [];
    let lowerSeverity = 0;
    for (const [name, entry] of Object.entries(vulnerabilities)) {
      if (!isRecord(entry)) continue;
      const severity = entry.severity;
      if (severity !== 'high' && severity !== 'critical') {
        lowerSeverity += 1;
        continue;
      }
      const via = Array.isArray(entry.via) ? entry.via : [];
      const titles = via.flatMap((cause) =>
        isRecord(cause) && typeof cause.title === 'string'
          ? [`${cause.title}${typeof cause.url === 'string' ? ` (${cause.url})` : ''}`]
          : typeof cause === 'string'
            ? [`through ${cause}`]
            : [],
      );
      findings.push({ name, severity, titles });
    }
    if (findings.some((finding) => gated.has(finding.severity)))
      return { kind: 'advisories', findings };
    const dependencies = isRecord(metadata.dependencies) ? Number(metadata.dependencies.prod) : NaN;
    return { kind: 'clean', dependencies, lowerSeverity };
  }
  if (typeof parsed.statusCode === 'number' || typeof parsed.message === 'string') {
    const reason =
      typeof parsed.message === 'string' ? parsed.message : `HTTP ${String(parsed.statusCode)}`;
    return { kind: 'unavailable', reason };
  }
  if (isRecord(parsed.error)) {
    const summary = parsed.error.summary;
    return {
      kind: 'unavailable',
      reason: typeof summary === 'string' && summary !== '' ? summary : 'npm audit failed',
    };
  }
  return { kind: 'unreadable', reason: 'npm audit printed neither a report nor an error' };
}
