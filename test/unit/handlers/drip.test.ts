// The drip Lambda bundle: built the way CDK's esbuild bundling builds it, it must not pull in mjml
// (or html-to-text): lessons are compiled at build time, and mjml would bloat the cold start.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';

describe('drip Lambda bundle', () => {
  it('does not include mjml or html-to-text', async () => {
    const out = await build({
      entryPoints: ['functions/handlers/drip.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@aws-sdk/*'],
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs).toContain('functions/core/drip/run.ts');
    expect(inputs.filter((i) => /node_modules\/(mjml|html-to-text)/.test(i))).toEqual([]);
  });
});
