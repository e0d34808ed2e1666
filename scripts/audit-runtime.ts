/**
 * The dependency gate of `npm run check`: `npm audit` over the runtime dependencies (dev tools
 * are not shipped), failing on any high or critical advisory. Where the registry cannot answer
 * audits (this project's CI mirror answers 405), it says so plainly and passes, unless
 * SWITCHYARD_REQUIRE_AUDIT=1 makes an unanswered audit a failure too.
 *
 * Usage: npm run audit:runtime
 */
import { spawnSync } from 'node:child_process';
import { auditVerdict } from './audit-verdict.js';

const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
  encoding: 'utf8',
  timeout: 120_000,
});
// A registry that never answers is as unavailable as one that refuses.
const verdict =
  result.error === undefined
    ? auditVerdict(result.stdout ?? '')
    : ({ kind: 'unavailable', reason: result.error.message } as const);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

switch (verdict.kind) {
  case 'clean':
    say(
      `npm audit: no high or critical advisory in the ${verdict.dependencies} runtime dependencies` +
        (verdict.lowerSeverity > 0 ? ` (${verdict.lowerSeverity} of lower severity).` : '.'),
    );
    break;
  case 'advisories':
    say('npm audit: high or critical advisories in runtime dependencies:');
    for (const finding of verdict.findings)
      say(`  ${finding.severity.padEnd(8)} ${finding.name}: ${finding.titles.join('; ')}`);
    say('Update them (npm update <name>, or npm audit fix --omit=dev), then run this again.');
    process.exitCode = 1;
    break;
  case 'unavailable':
    say(`npm audit: the registry's advisory service did not answer (${verdict.reason}).`);
    say('Runtime dependencies were NOT checked; run npm run audit:runtime where it answers.');
    if (process.env.SWITCHYARD_REQUIRE_AUDIT === '1') process.exitCode = 1;
    break;
  case 'unreadable':
    say(`npm audit: ${verdict.reason}`);
    process.exitCode = 1;
    break;
}
