import * as bbs2023Cryptosuite from '@digitalbazaar/bbs-2023-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';
import * as Bls12381Multikey from '@digitalbazaar/bls12-381-multikey';
import fs from 'fs';
const {purposes: {AssertionProofPurpose}} = jsigs;
const [,, docFile, outDir, vectors] = process.argv;
const urls = JSON.parse(fs.readFileSync(`${vectors}/jsonld-contexts/urls.json`));
const contexts = {};
for (const [u, f] of Object.entries(urls)) contexts[u] = JSON.parse(fs.readFileSync(`${vectors}/jsonld-contexts/${f}`));
const map = JSON.parse(fs.readFileSync(`${outDir}/contexts.json`));
for (const [u, f] of Object.entries(map)) contexts[u] = JSON.parse(fs.readFileSync(`${outDir}/${f}`));
const issuerDoc = JSON.parse(fs.readFileSync(`${outDir}/issuer-did.json`));
const documentLoader = async url => {
  if (contexts[url]) return {contextUrl: null, documentUrl: url, document: contexts[url]};
  const did = url.split('#')[0];
  if (did === issuerDoc.id) {
    if (url.includes('#')) {
      const vm = issuerDoc.verificationMethod.find(v => v.id === url);
      return {contextUrl: null, documentUrl: url, document: {'@context': 'https://w3id.org/security/multikey/v1', ...vm}};
    }
    return {contextUrl: null, documentUrl: url, document: issuerDoc};
  }
  throw new Error('refused to load ' + url);
};
const doc = JSON.parse(fs.readFileSync(docFile));
const cred = doc.verifiableCredential ? doc.verifiableCredential[0] : doc;
const suite = new DataIntegrityProof({cryptosuite: bbs2023Cryptosuite.createVerifyCryptosuite()});
const result = await jsigs.verify(cred, {suite, purpose: new AssertionProofPurpose(), documentLoader});
console.log(JSON.stringify({verified: result.verified, error: result.error ? String(result.error.errors ? result.error.errors.map(e=>e.message) : result.error) : null}));
