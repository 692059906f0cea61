import * as bbs2023Cryptosuite from '@digitalbazaar/bbs-2023-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';
import fs from 'fs';
const {purposes: {AssertionProofPurpose}} = jsigs;
const [,, outDir, vectors] = process.argv;
const urls = JSON.parse(fs.readFileSync(`${vectors}/jsonld-contexts/urls.json`));
const contexts = {};
for (const [u, f] of Object.entries(urls)) contexts[u] = JSON.parse(fs.readFileSync(`${vectors}/jsonld-contexts/${f}`));
for (const [u, f] of Object.entries(JSON.parse(fs.readFileSync(`${outDir}/contexts.json`)))) contexts[u] = JSON.parse(fs.readFileSync(`${outDir}/${f}`));
const issuerDoc = JSON.parse(fs.readFileSync(`${outDir}/issuer-did.json`));
const documentLoader = async url => {
  if (contexts[url]) return {contextUrl: null, documentUrl: url, document: contexts[url]};
  const vm = issuerDoc.verificationMethod.find(v => v.id === url);
  if (vm) return {contextUrl: null, documentUrl: url, document: {'@context': 'https://w3id.org/security/multikey/v1', ...vm}};
  if (url === issuerDoc.id) return {contextUrl: null, documentUrl: url, document: issuerDoc};
  throw new Error('refused ' + url);
};
const base = JSON.parse(fs.readFileSync(`${outDir}/credential.json`));
const suite = new DataIntegrityProof({cryptosuite: bbs2023Cryptosuite.createDiscloseCryptosuite({
  selectivePointers: ['/credentialSubject/organization', '/credentialSubject/capabilities'],
  presentationHeader: new TextEncoder().encode('js-nonce')})});
const derived = await jsigs.derive(base, {suite, purpose: new AssertionProofPurpose(), documentLoader});
fs.writeFileSync(`${outDir}/js-derived.json`, JSON.stringify(derived, null, 2));
console.log('derived by JS; subject keys:', Object.keys(derived.credentialSubject).join(','));
