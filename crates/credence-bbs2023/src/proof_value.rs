//! CBOR serialization of bbs-2023 `proofValue`s (baseline feature only).
//!
//! A base proof value is `u` + base64url(0xd9 0x5d 0x02 ‖ CBOR array
//! [bbsSignature, bbsHeader, publicKey, hmacKey, mandatoryPointers]); a
//! derived one is `u` + base64url(0xd9 0x5d 0x03 ‖ CBOR array [bbsProof,
//! compressedLabelMap, mandatoryIndexes, selectiveIndexes,
//! presentationHeader]).

use crate::Bbs2023Error;
use ciborium::value::{Integer, Value};
use std::collections::BTreeMap;

const BASE_HEADER: [u8; 3] = [0xd9, 0x5d, 0x02];
const DERIVED_HEADER: [u8; 3] = [0xd9, 0x5d, 0x03];

/// The decoded components of a base proof value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseProofValue {
    /// The BBS signature (80 bytes).
    pub bbs_signature: Vec<u8>,
    /// proofHash ‖ mandatoryHash (64 bytes).
    pub bbs_header: Vec<u8>,
    /// The issuer's BBS public key (96 bytes).
    pub public_key: Vec<u8>,
    /// The HMAC key used to shuffle blank node labels (32 bytes).
    pub hmac_key: Vec<u8>,
    /// JSON pointers to the always-disclosed statements.
    pub mandatory_pointers: Vec<String>,
}

/// The decoded components of a derived proof value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedProofValue {
    /// The BBS proof of knowledge of the signature.
    pub bbs_proof: Vec<u8>,
    /// Canonical label number (`c14nN`) → HMAC-shuffled label number (`bN`).
    pub label_map: BTreeMap<u64, u64>,
    /// Positions of the mandatory statements among the revealed statements.
    pub mandatory_indexes: Vec<u64>,
    /// Positions of the disclosed messages among the non-mandatory statements.
    pub selective_indexes: Vec<u64>,
    /// The presentation header bound into the proof (the verifier's nonce).
    pub presentation_header: Vec<u8>,
}

fn encode(header: [u8; 3], components: Vec<Value>) -> Result<String, Bbs2023Error> {
    let mut bytes = header.to_vec();
    ciborium::into_writer(&Value::Array(components), &mut bytes)
        .map_err(|e| Bbs2023Error::MalformedProofValue(format!("CBOR encoding: {e}")))?;
    Ok(multibase::encode(multibase::Base::Base64Url, bytes))
}

fn decode(proof_value: &str, expected: [u8; 3]) -> Result<Vec<Value>, Bbs2023Error> {
    if !proof_value.starts_with('u') {
        return Err(Bbs2023Error::MalformedProofValue(
            "must be multibase base64url (prefix `u`)".into(),
        ));
    }
    let (_, bytes) = multibase::decode(proof_value)
        .map_err(|e| Bbs2023Error::MalformedProofValue(format!("multibase: {e}")))?;
    if bytes.len() < 3 || bytes[0] != 0xd9 || bytes[1] != 0x5d {
        return Err(Bbs2023Error::MalformedProofValue(
            "missing the bbs-2023 CBOR tag header".into(),
        ));
    }
    if bytes[2] != expected[2] {
        return match bytes[2] {
            0x02 | 0x03 => Err(Bbs2023Error::MalformedProofValue(format!(
                "expected a {} proof value, found header 0x{:02x}",
                if expected[2] == 0x02 {
                    "base"
                } else {
                    "derived"
                },
                bytes[2]
            ))),
            other => Err(Bbs2023Error::UnsupportedFeature(other)),
        };
    }
    let value: Value = ciborium::from_reader(&bytes[3..])
        .map_err(|e| Bbs2023Error::MalformedProofValue(format!("CBOR: {e}")))?;
    match value {
        Value::Array(items) if items.len() == 5 => Ok(items),
        _ => Err(Bbs2023Error::MalformedProofValue(
            "expected a CBOR array of five components".into(),
        )),
    }
}

fn bytes(v: Value, what: &str) -> Result<Vec<u8>, Bbs2023Error> {
    match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(Bbs2023Error::MalformedProofValue(format!(
            "{what} must be a byte string"
        ))),
    }
}

fn uint(v: &Value, what: &str) -> Result<u64, Bbs2023Error> {
    match v {
        Value::Integer(i) => u64::try_from(*i)
            .map_err(|_| Bbs2023Error::MalformedProofValue(format!("{what} must be unsigned"))),
        _ => Err(Bbs2023Error::MalformedProofValue(format!(
            "{what} must be an integer"
        ))),
    }
}

fn uints(v: Value, what: &str) -> Result<Vec<u64>, Bbs2023Error> {
    match v {
        Value::Array(items) => items.iter().map(|i| uint(i, what)).collect(),
        _ => Err(Bbs2023Error::MalformedProofValue(format!(
            "{what} must be an array"
        ))),
    }
}

fn uint_values(values: &[u64]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|i| Value::Integer(Integer::from(*i)))
            .collect(),
    )
}

impl BaseProofValue {
    /// Serializes to the multibase `proofValue` string.
    pub fn encode(&self) -> Result<String, Bbs2023Error> {
        encode(
            BASE_HEADER,
            vec![
                Value::Bytes(self.bbs_signature.clone()),
                Value::Bytes(self.bbs_header.clone()),
                Value::Bytes(self.public_key.clone()),
                Value::Bytes(self.hmac_key.clone()),
                Value::Array(
                    self.mandatory_pointers
                        .iter()
                        .map(|p| Value::Text(p.clone()))
                        .collect(),
                ),
            ],
        )
    }

    /// Parses a base `proofValue`.
    pub fn decode(proof_value: &str) -> Result<Self, Bbs2023Error> {
        let mut items = decode(proof_value, BASE_HEADER)?.into_iter();
        let mut next = || items.next().unwrap_or(Value::Null);
        let bbs_signature = bytes(next(), "bbsSignature")?;
        let bbs_header = bytes(next(), "bbsHeader")?;
        let public_key = bytes(next(), "publicKey")?;
        let hmac_key = bytes(next(), "hmacKey")?;
        let mandatory_pointers = match next() {
            Value::Array(ps) => ps
                .into_iter()
                .map(|p| match p {
                    Value::Text(t) => Ok(t),
                    _ => Err(Bbs2023Error::MalformedProofValue(
                        "mandatory pointers must be strings".into(),
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(Bbs2023Error::MalformedProofValue(
                    "mandatoryPointers must be an array".into(),
                ))
            }
        };
        if hmac_key.len() != 32 {
            return Err(Bbs2023Error::MalformedProofValue(
                "hmacKey must be 32 bytes".into(),
            ));
        }
        Ok(Self {
            bbs_signature,
            bbs_header,
            public_key,
            hmac_key,
            mandatory_pointers,
        })
    }
}

impl DerivedProofValue {
    /// Serializes to the multibase `proofValue` string (label map keys in
    /// ascending order, as canonical CBOR encoders emit them).
    pub fn encode(&self) -> Result<String, Bbs2023Error> {
        encode(
            DERIVED_HEADER,
            vec![
                Value::Bytes(self.bbs_proof.clone()),
                Value::Map(
                    self.label_map
                        .iter()
                        .map(|(k, v)| {
                            (
                                Value::Integer(Integer::from(*k)),
                                Value::Integer(Integer::from(*v)),
                            )
                        })
                        .collect(),
                ),
                uint_values(&self.mandatory_indexes),
                uint_values(&self.selective_indexes),
                Value::Bytes(self.presentation_header.clone()),
            ],
        )
    }

    /// Parses a derived `proofValue`.
    pub fn decode(proof_value: &str) -> Result<Self, Bbs2023Error> {
        let mut items = decode(proof_value, DERIVED_HEADER)?.into_iter();
        let mut next = || items.next().unwrap_or(Value::Null);
        let bbs_proof = bytes(next(), "bbsProof")?;
        let label_map = match next() {
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| Ok((uint(k, "label map key")?, uint(v, "label map value")?)))
                .collect::<Result<BTreeMap<_, _>, Bbs2023Error>>()?,
            _ => {
                return Err(Bbs2023Error::MalformedProofValue(
                    "label map must be a CBOR map".into(),
                ))
            }
        };
        let mandatory_indexes = uints(next(), "mandatoryIndexes")?;
        let selective_indexes = uints(next(), "selectiveIndexes")?;
        let presentation_header = match next() {
            Value::Bytes(b) => b,
            // Some implementations write an absent header as null.
            Value::Null => Vec::new(),
            _ => {
                return Err(Bbs2023Error::MalformedProofValue(
                    "presentationHeader must be a byte string".into(),
                ))
            }
        };
        Ok(Self {
            bbs_proof,
            label_map,
            mandatory_indexes,
            selective_indexes,
            presentation_header,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_round_trip() {
        let v = BaseProofValue {
            bbs_signature: vec![1; 80],
            bbs_header: vec![2; 64],
            public_key: vec![3; 96],
            hmac_key: vec![4; 32],
            mandatory_pointers: vec!["/issuer".into()],
        };
        let s = v.encode().unwrap();
        assert!(s.starts_with('u'));
        assert_eq!(BaseProofValue::decode(&s).unwrap(), v);
        assert!(matches!(
            DerivedProofValue::decode(&s),
            Err(Bbs2023Error::MalformedProofValue(_))
        ));
    }

    #[test]
    fn derived_round_trip_and_garbage() {
        let v = DerivedProofValue {
            bbs_proof: vec![9; 300],
            label_map: [(0, 2), (1, 0)].into_iter().collect(),
            mandatory_indexes: vec![0, 1],
            selective_indexes: vec![3],
            presentation_header: b"nonce".to_vec(),
        };
        let s = v.encode().unwrap();
        assert_eq!(DerivedProofValue::decode(&s).unwrap(), v);
        assert!(DerivedProofValue::decode("zabc").is_err());
        assert!(DerivedProofValue::decode("u").is_err());
        let feature = multibase::encode(multibase::Base::Base64Url, [0xd9, 0x5d, 0x06, 0x80]);
        assert!(matches!(
            DerivedProofValue::decode(&feature),
            Err(Bbs2023Error::UnsupportedFeature(0x06))
        ));
    }
}
