import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SOURCE = path.join(HERE, 'child-server.ts');

/** How to start the child server: the script and the node options. */
export interface ChildCode { script: string; execArgv: string[] }

let compiled: Promise<ChildCode> | undefined;

/**
 * The child server's code, compiled once per simulation process: our TypeScript (src/ and the
 * child's entry) bundled into one ES module by esbuild — the same transpiler tsx uses — with
 * every package left to node_modules. Each (re)start is then a plain `node child.mjs`: a real
 * new process that loads its code without transpiling ~200 files through tsx's loader again
 * (about a third of the CPU of a start). `import.meta.url` keeps naming each source file, so
 * files read beside the code are found as before. Without esbuild, it runs under tsx.
 */
export function childCode(): Promise<ChildCode> {
  compiled ??= bundle().catch(() => ({ script: SOURCE, execArgv: ['--import', 'tsx'] }));
  return compiled;
}

async function bundle(): Promise<ChildCode> {
  const esbuild = await import('esbuild');
  // Inside node_modules, so the bundle's package imports resolve as the sources' do.
  const dir = path.join(ROOT, 'node_modules', '.cache', 'exampay-sim');
  fs.mkdirSync(dir, { recursive: true });
  const script = path.join(dir, `child-server-${process.pid}.mjs`);
  await esbuild.build({
    entryPoints: [SOURCE], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', logLevel: 'error',
    plugins: [{
      name: 'keep-import-meta-url',
      setup(build) {
        build.onLoad({ filter: /\.ts$/ }, (args) => ({
          contents: fs.readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
          loader: 'ts',
        }));
      },
    }],
  });
  process.on('exit', () => fs.rmSync(script, { force: true }));
  return { script, execArgv: [] };
}
