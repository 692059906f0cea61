//! BLS12-381 G2 key pairs for BBS, and their Multikey / did:key forms.

use crate::Bbs2023Error;
use group::prime::PrimeCurveAffine;
use rand::RngCore;
use ssi::multicodec::MultiEncodedBuf;
use std::sync::OnceLock;
use zeroize::Zeroizing;
use zkryptium::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;

/// Multicodec code of a BLS12-381 G2 public key (`0xeb`).
pub const BLS12_381_G2_MULTICODEC: u64 = 0xeb;

/// A BBS public key: a compressed BLS12-381 G2 point (96 bytes).
#[derive(Clone)]
pub struct BbsPublicKey {
    bytes: [u8; 96],
    /// zkryptium's form, made when first needed (signing, deriving, the
    /// zkryptium verify engine): the verifier's blst path never needs it,
    /// and making it costs a pure-Rust G2 decompression.
    inner: OnceLock<BBSplusPublicKey>,
}

impl PartialEq for BbsPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for BbsPublicKey {}

impl std::fmt::Debug for BbsPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BbsPublicKey({})", self.multikey())
    }
}

impl BbsPublicKey {
    /// Parses a compressed G2 point; fails unless it is 96 bytes, on the
    /// curve, in the prime-order subgroup and not the identity (blst's
    /// checked decompression).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Bbs2023Error> {
        let arr: [u8; 96] = bytes
            .try_into()
            .map_err(|_| Bbs2023Error::InvalidKey(format!("{} bytes, expected 96", bytes.len())))?;
        let point: Option<blstrs::G2Affine> = blstrs::G2Affine::from_compressed(&arr).into();
        match point {
            Some(p) if !bool::from(p.is_identity()) => Ok(Self {
                bytes: arr,
                inner: OnceLock::new(),
            }),
            Some(_) => Err(Bbs2023Error::InvalidKey("the identity point".into())),
            None => Err(Bbs2023Error::InvalidKey(
                "not a compressed point of the G2 subgroup".into(),
            )),
        }
    }

    /// Parses a Multikey value (`zUC7…`: base58btc of `0xeb01` + 96 bytes).
    pub fn from_multikey(multikey: &str) -> Result<Self, Bbs2023Error> {
        let (_, data) = multibase::decode(multikey)
            .map_err(|e| Bbs2023Error::InvalidKey(format!("multibase: {e}")))?;
        let encoded = MultiEncodedBuf::new(data)
            .map_err(|e| Bbs2023Error::InvalidKey(format!("multicodec: {e}")))?;
        if encoded.codec() != BLS12_381_G2_MULTICODEC {
            return Err(Bbs2023Error::InvalidKey(format!(
                "multicodec 0x{:x} is not BLS12-381 G2",
                encoded.codec()
            )));
        }
        Self::from_bytes(encoded.data())
    }

    /// The 96-byte compressed point.
    pub fn as_bytes(&self) -> &[u8; 96] {
        &self.bytes
    }

    /// The Multikey encoding (`zUC7…`).
    pub fn multikey(&self) -> String {
        let encoded = MultiEncodedBuf::encode_bytes(BLS12_381_G2_MULTICODEC, &self.bytes);
        multibase::encode(multibase::Base::Base58Btc, encoded.into_bytes())
    }

    /// The did:key identifier of this key.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.multikey())
    }

    /// The did:key verification method URL (`did:key:X#X`).
    pub fn did_key_url(&self) -> String {
        let mk = self.multikey();
        format!("did:key:{mk}#{mk}")
    }

    pub(crate) fn inner(&self) -> Result<&BBSplusPublicKey, Bbs2023Error> {
        if let Some(key) = self.inner.get() {
            return Ok(key);
        }
        let key = BBSplusPublicKey::from_bytes(&self.bytes)
            .map_err(|e| Bbs2023Error::InvalidKey(e.to_string()))?;
        Ok(self.inner.get_or_init(|| key))
    }
}

/// A BBS key pair. The secret scalar is wiped from memory when dropped.
pub struct BbsKeyPair {
    secret: Zeroizing<[u8; 32]>,
    public: BbsPublicKey,
}

impl std::fmt::Debug for BbsKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BbsKeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl BbsKeyPair {
    /// Generates a key pair from 32 bytes of operating-system randomness
    /// (IETF BBS KeyGen).
    pub fn generate() -> Result<Self, Bbs2023Error> {
        let mut ikm = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(ikm.as_mut());
        let pair = KeyPair::<BbsBls12381Sha256>::generate(ikm.as_ref(), None, None)
            .map_err(|e| Bbs2023Error::InvalidKey(e.to_string()))?;
        Self::from_secret_bytes(&pair.private_key().to_bytes())
    }

    /// Rebuilds a key pair from its 32-byte big-endian secret scalar.
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self, Bbs2023Error> {
        let sk = BBSplusSecretKey::from_bytes(secret)
            .map_err(|e| Bbs2023Error::InvalidKey(e.to_string()))?;
        let public = BbsPublicKey::from_bytes(&sk.public_key().to_bytes())?;
        let mut stored = Zeroizing::new([0u8; 32]);
        stored.copy_from_slice(&sk.to_bytes());
        Ok(Self {
            secret: stored,
            public,
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &BbsPublicKey {
        &self.public
    }

    /// The secret scalar, for encrypted storage by the caller.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.secret.clone()
    }

    pub(crate) fn secret_key(&self) -> Result<BBSplusSecretKey, Bbs2023Error> {
        BBSplusSecretKey::from_bytes(self.secret.as_ref())
            .map_err(|e| Bbs2023Error::InvalidKey(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blstrs::G2Affine;

    /// 96 bytes that decode (unchecked) to a G2 point on the curve outside
    /// the prime-order subgroup.
    fn off_subgroup() -> [u8; 96] {
        (1u8..=255)
            .find_map(|seed| {
                let mut bytes = [seed; 96];
                bytes[0] = 0x80 | (seed & 0x0f);
                let p = Option::<G2Affine>::from(G2Affine::from_compressed_unchecked(&bytes))?;
                (!bool::from(p.is_torsion_free())).then_some(bytes)
            })
            .expect("some seed gives a point outside the subgroup")
    }

    #[test]
    fn only_subgroup_points_other_than_the_identity_are_keys() {
        let good = BbsKeyPair::generate().unwrap();
        let bytes = *good.public_key().as_bytes();
        let parsed = BbsPublicKey::from_bytes(&bytes).unwrap();
        assert_eq!(&parsed, good.public_key());
        assert!(parsed.inner().is_ok(), "zkryptium's form is made on demand");
        for (bad, why) in [
            (G2Affine::identity().to_compressed().to_vec(), "identity"),
            (off_subgroup().to_vec(), "subgroup"),
            (vec![0xffu8; 96], "subgroup"),
            (bytes[..95].to_vec(), "expected 96"),
        ] {
            match BbsPublicKey::from_bytes(&bad) {
                Err(Bbs2023Error::InvalidKey(m)) => assert!(m.contains(why), "{m}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }
}
