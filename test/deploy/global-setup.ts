// Gives the deploy tests one id per `vitest run`, so their workers share one synthesised cloud
// assembly (test/deploy/harness/assembly.ts), and removes that assembly when the run ends. Costs
// nothing when no deploy test runs: the synth happens on first use.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    deployRunId: string;
  }
}

/** Same folder as ASSEMBLY_ROOT in harness/assembly.ts (not imported: that module loads the CDK). */
const ASSEMBLY_ROOT = join(import.meta.dirname, '..', '..', '.local', 'deploy-assembly');

export default function setup(project: TestProject): () => void {
  // DEPLOY_RUN_ID keeps an assembly between runs (while working on the harness); it is not removed.
  const kept = process.env.DEPLOY_RUN_ID;
  if (kept) {
    project.provide('deployRunId', kept);
    return () => undefined;
  }
  const id = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  project.provide('deployRunId', id);
  return () => rmSync(join(ASSEMBLY_ROOT, id), { recursive: true, force: true });
}
