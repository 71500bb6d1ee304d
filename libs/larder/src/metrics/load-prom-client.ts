import { InvalidOptionError } from '../errors';
import { loadOptionalPeer } from '../common/optional-peer';

/**
 * prom-client, loaded only when metrics are on. Kept apart from metrics-options.ts because its
 * return type names prom-client, which the declarations of the public options must not.
 * @throws InvalidOptionError naming `metrics` when the optional peer is not installed
 */
export function loadPromClient(): typeof import('prom-client') {
  const promClient = loadOptionalPeer<typeof import('prom-client')>('prom-client');
  if (!promClient) {
    throw new InvalidOptionError(
      'Invalid Larder option "metrics": metrics need the optional peer dependency prom-client. ' +
        'Install it (npm i prom-client) or remove the option.',
    );
  }
  return promClient;
}
