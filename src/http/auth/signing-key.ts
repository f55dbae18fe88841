import { createPrivateKey, type KeyObject } from 'node:crypto';
import { HelError } from '../../errors.js';

/**
 * A PEM private key (PKCS#1 "RSA PRIVATE KEY", PKCS#8 or SEC1 EC) as a key object, and the JWS
 * algorithm it signs with. The error never quotes the key: PEM parse errors can echo input.
 */
export function signingKey(pem: string, what: string): { key: KeyObject; alg: 'RS256' | 'ES256' } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem' });
  } catch {
    throw new HelError('HEL_AUTH', `the ${what} is not a PEM private key`, { hint: 'use the PEM text as downloaded (-----BEGIN … PRIVATE KEY-----), RSA or EC P-256' });
  }
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, alg: 'ES256' };
  throw new HelError('HEL_AUTH', `the ${what} is a ${key.asymmetricKeyType ?? 'unknown'} key`, { hint: 'use an RSA key (RS256) or an EC P-256 key (ES256)' });
}
