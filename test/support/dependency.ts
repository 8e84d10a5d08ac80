/**
 * The one policy for tests that need a real dependency on the machine (a browser, a database server):
 *
 * - present: the suite runs;
 * - missing and `CI=true`: the suite gets one extra test that fails with a message saying what to install
 *   (its own tests are listed as skipped), so a CI machine without the dependency can never pass by silently
 *   skipping;
 * - missing elsewhere: the suite is skipped (a developer without the package still gets a green run of the
 *   rest).
 */
import { describe, it } from "vitest";

export function isCI(): boolean {
  return process.env.CI === "true";
}

export interface Dependency {
  /** Whether the dependency was found. */
  available: boolean;
  /** Why it is missing and how to install it; shown as the failure in CI. */
  missingMessage: string;
}

export type SuiteFactory = () => void;

/** Declares `fn` as a suite named `name` under the policy above. */
export function describeWithDependency(dependency: Dependency, name: string, fn: SuiteFactory): void {
  if (dependency.available) {
    describe(name, fn);
  } else if (isCI()) {
    describe(name, () => {
      it("has its dependency installed (required when CI=true)", () => {
        throw new Error(dependency.missingMessage);
      });
      describe.skip("tests that need it", fn);
    });
  } else {
    describe.skip(`${name} (skipped: ${dependency.missingMessage})`, fn);
  }
}
