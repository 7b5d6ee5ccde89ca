import { posix } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The commands that ship `name` beside a function's bundle: the package bundled alone (with its
 * dependencies) by the project's own esbuild into `<outputDir>/node_modules/<name>/index.js`, with
 * a package.json pointing at it, so the main bundle's `import('<name>')` — left out of it as an
 * external module — resolves at run time. Local and offline: no npm install, no Docker.
 */
export function lazyModuleCommands(name: string, inputDir: string, outputDir: string): string[] {
  // Paths only, nothing resolved now: CDK also builds these commands for a Docker fallback, where
  // the directories are the container's. esbuild reads the package's entry from its package.json.
  const { join } = posix;
  const dir = join(outputDir, 'node_modules', name);
  const packageJson = JSON.stringify({ name, main: 'index.js' });
  return [
    `mkdir -p ${quote(dir)}`,
    [
      // The project's esbuild (CDK bundles the function with it too): a native binary or a node script.
      quote(join(inputDir, 'node_modules', 'esbuild', 'bin', 'esbuild')),
      quote(join(inputDir, 'node_modules', name)),
      '--bundle',
      '--platform=node',
      '--target=node22',
      '--format=cjs',
      '--minify',
      '--legal-comments=none',
      '--log-level=warning',
      `--outfile=${quote(join(dir, 'index.js'))}`,
    ].join(' '),
    `printf '%s' ${quote(packageJson)} > ${quote(join(dir, 'package.json'))}`,
  ];
}

/** NodejsFunction command hooks that add each of `modules` to the asset (see `lazyModuleCommands`). */
export function lazyModuleHooks(modules: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      modules.flatMap((name) => lazyModuleCommands(name, inputDir, outputDir)),
  };
}

/**
 * The commands that copy `files` of the installed package `name` into `<outputDir>/<name>/`, for
 * code that reads them at run time (they are data, not modules esbuild could bundle).
 */
export function packageFileCommands(
  name: string,
  files: readonly string[],
  inputDir: string,
  outputDir: string,
): string[] {
  const { join } = posix;
  const dir = join(outputDir, name);
  return [
    `mkdir -p ${quote(dir)}`,
    `cp ${files.map((file) => quote(join(inputDir, 'node_modules', name, file))).join(' ')} ${quote(dir)}`,
  ];
}
