import { describe, expect, it } from 'vitest';
import { auditVerdict } from './audit-verdict.js';

// Shapes of `npm audit --json` (npm 7 and later, auditReportVersion 2), written from npm's docs.
const report = (vulnerabilities: Record<string, unknown>, prod = 137) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 },
      dependencies: { prod, dev: 0, optional: 0, peer: 0, peerOptional: 0, total: prod },
    },
  });

describe('auditVerdict', () => {
  it('passes a report with nothing in it', () => {
    expect(auditVerdict(report({}))).toEqual({
      kind: 'clean',
      dependencies: 137,
      lowerSeverity: 0,
    });
  });

  it('passes moderate and low advisories, counting them', () => {
    const verdict = auditVerdict(
      report({ 'some-lib': { name: 'some-lib', severity: 'moderate', via: [] } }),
    );
    expect(verdict).toEqual({ kind: 'clean', dependencies: 137, lowerSeverity: 1 });
  });

  it('fails on a high advisory, naming it and the package it came through', () => {
    const verdict = auditVerdict(
      report({
        undici: {
          name: 'undici',
          severity: 'high',
          via: [{ title: 'Request smuggling', url: 'https://github.com/advisories/GHSA-x' }],
        },
        fastify: { name: 'fastify', severity: 'critical', via: ['undici'] },
      }),
    );
    expect(verdict).toEqual({
      kind: 'advisories',
      findings: [
        {
          name: 'undici',
          severity: 'high',
          titles: ['Request smuggling (https://github.com/advisories/GHSA-x)'],
        },
        { name: 'fastify', severity: 'critical', titles: ['through undici'] },
      ],
    });
  });

  it('calls a registry that cannot answer audits unavailable, not clean', () => {
    const refused = JSON.stringify({
      message:
        '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      body: '',
      error: { summary: '', detail: '' },
    });
    expect(auditVerdict(refused)).toMatchObject({ kind: 'unavailable' });
    expect(auditVerdict(JSON.stringify({ error: { summary: 'ENOTFOUND', detail: '' } }))).toEqual({
      kind: 'unavailable',
      reason: 'ENOTFOUND',
    });
  });

  it('refuses output it cannot read', () => {
    expect(auditVerdict('npm ERR! something')).toMatchObject({ kind: 'unreadable' });
    expect(auditVerdict('[]')).toMatchObject({ kind: 'unreadable' });
  });
});
