//! The two BLS12-381 ciphersuites: their identifiers, domain separation
//! tags, `expand_message` and hash-to-curve.

use crate::VerifyError;
use blstrs::{G1Affine, G1Projective};
use elliptic_curve::hash2curve::{ExpandMsg, ExpandMsgXmd, ExpandMsgXof, Expander};
use group::Curve;
use sha2::Sha256;
use sha3::Shake256;

/// Output length of every `expand_message` call BBS makes (`expand_len`).
pub(crate) const EXPAND_LEN: usize = 48;

/// An IETF BBS ciphersuite over BLS12-381.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ciphersuite {
    /// `BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_` (the one `bbs-2023` uses).
    Bls12381Sha256,
    /// `BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_`.
    Bls12381Shake256,
}

/// The byte strings a suite derives from its `api_id`.
pub(crate) struct Tags {
    pub api_id: &'static [u8],
    /// `api_id || "H2S_"`: hash_to_scalar for the domain and the challenge.
    pub h2s: &'static [u8],
    /// `api_id || "MAP_MSG_TO_SCALAR_AS_HASH_"`.
    pub map_msg: &'static [u8],
    /// `api_id || "MESSAGE_GENERATOR_SEED"`.
    pub generator_seed: &'static [u8],
    /// `api_id || "SIG_GENERATOR_SEED_"`.
    pub seed_dst: &'static [u8],
    /// `api_id || "SIG_GENERATOR_DST_"`.
    pub generator_dst: &'static [u8],
    /// The suite's fixed base point P1, compressed, in hex.
    pub p1_hex: &'static str,
}

macro_rules! tags {
    ($api:literal, $p1:literal) => {
        Tags {
            api_id: $api.as_bytes(),
            h2s: concat!($api, "H2S_").as_bytes(),
            map_msg: concat!($api, "MAP_MSG_TO_SCALAR_AS_HASH_").as_bytes(),
            generator_seed: concat!($api, "MESSAGE_GENERATOR_SEED").as_bytes(),
            seed_dst: concat!($api, "SIG_GENERATOR_SEED_").as_bytes(),
            generator_dst: concat!($api, "SIG_GENERATOR_DST_").as_bytes(),
            p1_hex: $p1,
        }
    };
}

const SHA256_TAGS: Tags = tags!(
    "BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_",
    "a8ce256102840821a3e94ea9025e4662b205762f9776b3a766c872b948f1fd225e7c59698588e70d11406d161b4e28c9"
);
const SHAKE256_TAGS: Tags = tags!(
    "BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_H2G_HM2S_",
    "8929dfbc7e6642c4ed9cba0856e493f8b9d7d5fcb0c31ef8fdcd34d50648a56c795e106e9eada6e0bda386b414150755"
);

impl Ciphersuite {
    /// Both suites.
    pub const ALL: [Ciphersuite; 2] = [Self::Bls12381Sha256, Self::Bls12381Shake256];

    /// `api_id = ciphersuite_id || "H2G_HM2S_"`.
    pub fn api_id(self) -> &'static [u8] {
        self.tags().api_id
    }

    pub(crate) fn tags(self) -> &'static Tags {
        match self {
            Self::Bls12381Sha256 => &SHA256_TAGS,
            Self::Bls12381Shake256 => &SHAKE256_TAGS,
        }
    }

    /// Index of this suite in per-suite tables.
    pub(crate) fn slot(self) -> usize {
        match self {
            Self::Bls12381Sha256 => 0,
            Self::Bls12381Shake256 => 1,
        }
    }

    /// `expand_message(msg_parts concatenated, dst, 48)` (RFC 9380 §5.3:
    /// XMD with SHA-256, or XOF with SHAKE-256).
    pub(crate) fn expand(
        self,
        msg_parts: &[&[u8]],
        dst: &[u8],
    ) -> Result<[u8; EXPAND_LEN], VerifyError> {
        let dsts = [dst];
        let mut out = [0u8; EXPAND_LEN];
        match self {
            Self::Bls12381Sha256 => {
                ExpandMsgXmd::<Sha256>::expand_message(msg_parts, &dsts, EXPAND_LEN)
                    .map_err(|_| VerifyError::ExpandMessage)?
                    .fill_bytes(&mut out)
            }
            Self::Bls12381Shake256 => {
                ExpandMsgXof::<Shake256>::expand_message(msg_parts, &dsts, EXPAND_LEN)
                    .map_err(|_| VerifyError::ExpandMessage)?
                    .fill_bytes(&mut out)
            }
        }
        Ok(out)
    }

    /// The suite's `hash_to_curve_g1` (RFC 9380 `BLS12381G1_XMD:SHA-256_SSWU_RO_`
    /// from blst, or `BLS12381G1_XOF:SHAKE-256_SSWU_RO_` from bls12_381_plus,
    /// carried over to blst through its compressed encoding).
    pub(crate) fn hash_to_g1(self, msg: &[u8], dst: &[u8]) -> Result<G1Projective, VerifyError> {
        match self {
            Self::Bls12381Sha256 => Ok(G1Projective::hash_to_curve(msg, dst, &[])),
            Self::Bls12381Shake256 => {
                let point = bls12_381_plus::G1Projective::hash::<ExpandMsgXof<Shake256>>(msg, dst);
                let bytes = point.to_affine().to_compressed();
                Option::<G1Affine>::from(G1Affine::from_compressed(&bytes))
                    .map(G1Projective::from)
                    .ok_or(VerifyError::HashToCurve)
            }
        }
    }
}
