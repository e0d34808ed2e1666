import { afterEach, describe } from 'vitest';
import { admissionCases } from './admission.case.js';
import type { Limiter } from './contract.js';
import type { LimiterFactory, LimiterFixture } from './limiter-fixture.case.js';
import { periodCases } from './period.case.js';
import { windowCases } from './window.case.js';

/**
 * The contract every `Limiter` meets, run once per implementation (DESIGN.md §10 rule 4). It uses
 * only the interface and gives every test its own subjects, so a shared Redis passes it as well
 * as a fresh in-memory limiter does.
 */
export function limiterContractSuite(
  name: string,
  create: LimiterFactory,
  options: { sharedState?: boolean } = {},
): void {
  describe(`Limiter contract: ${name}`, () => {
    const opened: Limiter[] = [];
    const fixture: LimiterFixture = {
      name,
      sharedState: options.sharedState ?? false,
      async open(limiterOptions) {
        const limiter = await create(limiterOptions);
        opened.push(limiter);
        return limiter;
      },
    };

    afterEach(async () => {
      for (const limiter of opened.splice(0)) await limiter.close();
    });

    windowCases(fixture);
    periodCases(fixture);
    admissionCases(fixture);
  });
}
