// Verifies a Credence SD-JWT VC presentation with the OWF sd-jwt-js
// library (@sd-jwt/sd-jwt-vc 0.19.0): issuer signature (EdDSA, the
// issuer's public JWK), Disclosures, KB-JWT (nonce; aud and sd_hash
// checked here too), and the Token Status List (read from a file).
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest } from '@sd-jwt/crypto-nodejs';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify as edVerify } from 'node:crypto';

const dir = process.argv[2];
const presentation = readFileSync(`${dir}/presentation.sd-jwt`, 'utf8').trim();
const issuerJwk = JSON.parse(readFileSync(`${dir}/issuer-jwk.json`, 'utf8'));
const request = JSON.parse(readFileSync(`${dir}/request.json`, 'utf8'));
const statusList = readFileSync(`${dir}/status-list.jwt`, 'utf8').trim();
const check = (jwk) => async (data, sig) =>
  edVerify(null, Buffer.from(data), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url'));
const sdjwt = new SDJwtVcInstance({
  hasher: digest,
  verifier: check(issuerJwk),
  kbVerifier: async (data, sig, payload) => check(payload.cnf.jwk)(data, sig),
  statusListFetcher: async () => statusList,
});
const result = await sdjwt.verify(presentation, { keyBindingNonce: request.nonce });
if (result.kb.payload.aud !== request.client_id) throw new Error(`aud ${result.kb.payload.aud}`);
console.log(JSON.stringify({ verified: true, vct: result.payload.vct, iss: result.payload.iss,
  organization: result.payload.organization, capabilities: result.payload.capabilities,
  kb: { aud: result.kb.payload.aud, nonce: result.kb.payload.nonce } }));
