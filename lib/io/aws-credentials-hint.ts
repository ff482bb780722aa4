import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the AWS SDK's default credential chain looks, in its order, with what this environment
 * holds at each place — so "no credentials" says which variables and which profile were tried.
 */
export function credentialSourcesLookedAt(env: NodeJS.ProcessEnv = process.env): string[] {
  const set = (name: string) => (env[name] ? `${name} (set)` : `${name} (unset)`);
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE;
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  return [
    `environment: ${set('AWS_ACCESS_KEY_ID')}, ${set('AWS_SECRET_ACCESS_KEY')}, ${set('AWS_SESSION_TOKEN')}`,
    `profile "${profile ?? 'default'}" (${profile === undefined ? 'AWS_PROFILE unset' : 'from AWS_PROFILE'}) in ${credentialsFile} and ${configFile}, SSO included`,
    `web identity: ${set('AWS_WEB_IDENTITY_TOKEN_FILE')}, ${set('AWS_ROLE_ARN')}`,
    `container credentials: ${set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')}, ${set('AWS_CONTAINER_CREDENTIALS_FULL_URI')}`,
    env.AWS_EC2_METADATA_DISABLED === 'true' ? 'EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)' : 'EC2 instance metadata',
  ];
}

/** Whether an SDK error means the credential chain found nothing. */
export function isMissingCredentials(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  return name === 'CredentialsProviderError' || /could not load credentials/i.test(message);
}
