import { installPromiseWithResolvers } from './promise-with-resolvers.js';

/** The ASL interpreter's module (aws-local-stepfunctions). */
export type Interpreter = typeof import('aws-local-stepfunctions');

let loading: Promise<Interpreter> | undefined;

/**
 * Load aws-local-stepfunctions on first use (it pulls in the Lambda SDK and an ASL validator,
 * about a second of start-up the other commands should not pay), after the polyfill it needs.
 */
export function loadInterpreter(): Promise<Interpreter> {
  installPromiseWithResolvers();
  return (loading ??= import('aws-local-stepfunctions'));
}
