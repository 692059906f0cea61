//! Shared test helpers: locating the IETF fixtures and zkryptium as oracle.
#![allow(dead_code)]

use credence_bbs_verify::Ciphersuite;
use std::path::PathBuf;
use zkryptium::bbsplus::keys::BBSplusPublicKey;
use zkryptium::schemes::algorithms::{BbsBls12381Sha256, BbsBls12381Shake256};
use zkryptium::schemes::generics::PoKSignature;

/// `$CREDENCE_VECTORS/bbs`, else `../shared/vectors/bbs` beside the
/// workspace; `None` with a printed SKIP line when absent.
pub fn bbs_vectors(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/vectors")
        });
    if dir.join("bbs/messages.json").is_file() {
        Some(dir.join("bbs"))
    } else {
        eprintln!(
            "SKIP {test}: IETF BBS vectors not found at {}/bbs (set CREDENCE_VECTORS)",
            dir.display()
        );
        None
    }
}

/// The fixture folder of a suite.
pub fn suite_dir(suite: Ciphersuite) -> &'static str {
    match suite {
        Ciphersuite::Bls12381Sha256 => "bls12-381-sha-256",
        _ => "bls12-381-shake-256",
    }
}

pub fn read_json(path: PathBuf) -> serde_json::Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))).unwrap()
}

/// zkryptium's ProofVerify on the same input: true when it accepts. A
/// panic inside zkryptium (it slices hostile input) counts as refusal.
pub fn zkryptium_accepts(
    suite: Ciphersuite,
    pk: &[u8],
    proof: &[u8],
    header: &[u8],
    ph: &[u8],
    messages: &[Vec<u8>],
    indexes: &[usize],
) -> bool {
    let Ok(pk) = BBSplusPublicKey::from_bytes(pk) else {
        return false;
    };
    std::panic::catch_unwind(|| match suite {
        Ciphersuite::Bls12381Sha256 => PoKSignature::<BbsBls12381Sha256>::from_bytes(proof)
            .and_then(|p| {
                p.proof_verify(&pk, Some(messages), Some(indexes), Some(header), Some(ph))
            })
            .is_ok(),
        _ => PoKSignature::<BbsBls12381Shake256>::from_bytes(proof)
            .and_then(|p| {
                p.proof_verify(&pk, Some(messages), Some(indexes), Some(header), Some(ph))
            })
            .is_ok(),
    })
    .unwrap_or(false)
}

/// A signer (zkryptium KeyGen from `ikm`) for one suite.
pub struct Signer {
    pub suite: Ciphersuite,
    pub sk: zkryptium::bbsplus::keys::BBSplusSecretKey,
    pub pk: BBSplusPublicKey,
}

macro_rules! with_suite {
    ($suite:expr, $cs:ident => $body:expr) => {
        match $suite {
            Ciphersuite::Bls12381Sha256 => {
                type $cs = BbsBls12381Sha256;
                $body
            }
            _ => {
                type $cs = BbsBls12381Shake256;
                $body
            }
        }
    };
}

impl Signer {
    pub fn new(suite: Ciphersuite, ikm: &[u8; 32]) -> Self {
        use zkryptium::keys::pair::KeyPair;
        let (sk, pk) = with_suite!(suite, S => {
            let pair = KeyPair::<S>::generate(ikm, None, None).unwrap();
            (pair.private_key().clone(), pair.public_key().clone())
        });
        Self { suite, sk, pk }
    }

    /// The 96-byte public key.
    pub fn public_key(&self) -> Vec<u8> {
        self.pk.to_bytes().to_vec()
    }

    /// zkryptium Sign over all `messages`, then ProofGen disclosing `indexes`.
    pub fn prove(
        &self,
        messages: &[Vec<u8>],
        header: &[u8],
        ph: &[u8],
        indexes: &[usize],
    ) -> Vec<u8> {
        use zkryptium::schemes::generics::Signature;
        with_suite!(self.suite, S => {
            let sig = Signature::<S>::sign(Some(messages), &self.sk, &self.pk, Some(header)).unwrap();
            PoKSignature::<S>::proof_gen(
                &self.pk,
                &sig.to_bytes(),
                Some(header),
                Some(ph),
                Some(messages),
                Some(indexes),
            )
            .unwrap()
            .to_bytes()
        })
    }
}
