import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { defineReferral, REFERRAL_ERROR_CODES } from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Snippet {
  line: number;
  marker: { kind: 'prelude' | 'file'; value: string } | null;
  code: string;
}

/** Every ```ts block with the comment just above it: `<!-- prelude: … -->` (names it assumes) or `<!-- file: path -->`. */
const snippets: Snippet[] = [...readme.matchAll(/(?:<!-- (prelude|file): ([\s\S]*?) -->\n)?```ts\n([\s\S]*?)```/g)].map((match) => ({
  line: readme.slice(0, match.index).split('\n').length,
  marker: match[1] ? { kind: match[1] as 'prelude' | 'file', value: (match[2] as string).trim() } : null,
  code: match[3] as string,
}));

const compile = (files: string[]): string[] => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('tsconfig.json did not parse');
  // Strict typing as configured; a snippet may declare what it does not use.
  const program = ts.createProgram([...files, join(root, 'tests/docs/family-modules.d.ts')], { ...config.options, noUnusedLocals: false, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${d.file?.fileName.split('/').at(-1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
};

describe('README', () => {
  it('has its ts snippets, each marked with a prelude or the file it is', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(6);
    expect(snippets.filter((s) => !s.marker).map((s) => `README.md:${s.line}`)).toEqual([]);
  });

  it('quotes every file snippet verbatim', () => {
    for (const { marker, code, line } of snippets.filter((s) => s.marker?.kind === 'file')) {
      expect(code, `README.md:${line} is ${marker?.value}`).toBe(readFileSync(join(root, marker?.value as string), 'utf8'));
    }
  });

  it('compiles every snippet under strict, with only the prelude it declares', { timeout: 120_000 }, () => {
    const dir = join(root, 'tests/.snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = snippets
      .filter((s) => s.marker?.kind === 'prelude')
      .map(({ marker, code, line }) => {
        const file = join(dir, `readme-line-${line}.ts`);
        writeFileSync(file, `${marker?.value}\n${code}\nexport {};\n`);
        return file;
      });
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(compile(files)).toEqual([]);
  });

  it('the snippet compiler catches an error, so a passing run means something', { timeout: 120_000 }, () => {
    const dir = join(root, 'tests/.snippets');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'broken.ts');
    writeFileSync(
      file,
      "import type { ReferralEngine } from '@classytic/referral';\ndeclare const r: ReferralEngine;\nawait r.attributeSale({ code: 'x' } as never);\nexport {};\n",
    );
    expect(compile([file]).join('\n')).toMatch(/Expected 2 arguments/);
  });

  it('names, in every API row, a member the engine has', async () => {
    const engine = defineReferral({ collectionPrefix: 'readme_' }).bind(mongoose.createConnection());
    const sections: Record<string, object> = {
      '### Engine': engine,
      '### `repositories.referralCode`': engine.repositories.referralCode,
      '### `stats`': engine.stats,
      '### `repositories.referral`': engine.repositories.referral,
    };
    const missing: string[] = [];
    let rows = 0;
    for (const [heading, target] of Object.entries(sections)) {
      const start = readme.indexOf(`\n${heading}\n`);
      expect(start, heading).toBeGreaterThan(0);
      const section = readme.slice(start + heading.length + 2, readme.indexOf('\n#', start + heading.length + 2));
      for (const [, cell] of section.matchAll(/^\| ([^|]*`[^|]*) \|/gm)) {
        for (const name of [...(cell as string).matchAll(/`([^`]+)`/g)].map((m) => (m[1] as string).replace(/\(.*$/, ''))) {
          rows++;
          const value = name.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown> | undefined)?.[key], target);
          if (value === undefined) missing.push(`${heading}: ${name}`);
        }
      }
    }
    expect(rows).toBeGreaterThan(25);
    expect(missing).toEqual([]);
    await engine.close();
  });

  it('lists exactly the error codes the package has', () => {
    const section = readme.slice(readme.indexOf('\n## Errors\n'), readme.indexOf('\n## ', readme.indexOf('\n## Errors\n') + 5));
    const documented = new Set(
      [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap(([, cell]) => [...(cell as string).matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1] as string)),
    );
    expect([...documented].sort()).toEqual([...REFERRAL_ERROR_CODES].sort());
  });
});
