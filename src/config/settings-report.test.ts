import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { describeSettings, type SettingLine } from './settings-report.js';

function lines(report: ReturnType<typeof describeSettings>): Map<string, SettingLine> {
  return new Map(
    report.sections.flatMap((section) => section.settings).map((line) => [line.key, line]),
  );
}

describe('the settings report', () => {
  it('names the source of each setting: file, environment or default', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'switchyard-settings-'));
    writeFileSync(
      path.join(directory, 'switchyard.yaml'),
      'server:\n  port: 9000\nlogLevel: warn\n',
    );
    const loaded = loadConfig({
      environment: { SWITCHYARD_DEFAULT_RPM: '42' },
      workingDirectory: directory,
    });
    const report = lines(describeSettings(loaded, '1.2.3'));
    expect(report.get('server.port')).toMatchObject({ value: 9000, source: 'file' });
    expect(report.get('limits.defaults.rpm')).toEqual({
      key: 'limits.defaults.rpm',
      value: 42,
      source: 'environment',
      environmentVariable: 'SWITCHYARD_DEFAULT_RPM',
    });
    expect(report.get('server.host')).toMatchObject({ value: '127.0.0.1', source: 'default' });
  });

  it('withholds secrets and the passwords in URLs, and leaves out providers and models', () => {
    const loaded = loadConfig({
      environment: {
        SWITCHYARD_ADMIN_TOKEN: 'a-very-secret-admin-token-0123456789abcdef',
        SWITCHYARD_SECRET_KEY: 'ab'.repeat(32),
        DATABASE_URL: 'postgres://gateway:hunter2@db.internal:5432/switchyard',
        REDIS_URL: 'redis://:sesame@cache.internal:6379',
        OPENAI_API_KEY: 'sk-openai-secret',
        SWITCHYARD_METRICS_TOKEN: 'a-very-secret-metrics-token-0123456789abcdef',
      },
      workingDirectory: '/',
    });
    const report = describeSettings(loaded, '1.2.3');
    const text = JSON.stringify(report);
    for (const secret of [
      'a-very-secret-admin-token',
      'a-very-secret-metrics-token',
      'abab',
      'hunter2',
      'sesame',
      'sk-openai',
    ]) {
      expect(text).not.toContain(secret);
    }
    const byKey = lines(report);
    expect(byKey.get('adminToken')?.value).toBe('[set]');
    expect(byKey.get('metrics.token')?.value).toBe('[set]');
    expect(byKey.get('database.url')?.value).toBe(
      'postgres://gateway:****@db.internal:5432/switchyard',
    );
    expect(report.database.kind).toBe('postgres');
    expect(report.redis.configured).toBe(true);
    expect([...byKey.keys()].some((key) => /^(providers|models)\b/.test(key))).toBe(false);
  });
});
