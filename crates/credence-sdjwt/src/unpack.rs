//! Processing of the Disclosures (RFC 9901 §7.1, steps 3 and 4): every
//! digest in the issuer-signed payload, and in disclosed values, replaced
//! by what its Disclosure discloses — and refused where the RFC says so:
//! a digest that occurs twice, a Disclosure presented twice or referenced
//! by no digest, a reserved claim name, a claim name that already exists,
//! a Disclosure of the wrong kind for its place. Digests without a
//! Disclosure (undisclosed claims, decoys) are dropped.

use crate::disclosure::{Disclosed, Disclosure};
use crate::SdJwtError;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The deepest nesting of objects and arrays processed.
pub const MAX_DEPTH: usize = 32;

/// One step of a path into the processed claims.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element, by its index in the processed array.
    Index(usize),
}

/// Where each Disclosure's value landed in the processed claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The path of the disclosed property or element.
    pub path: Vec<Step>,
    /// The Disclosure's digest.
    pub digest: String,
}

/// The processed claims and where each Disclosure went.
#[derive(Debug, Clone, PartialEq)]
pub struct Unpacked {
    /// The payload with every presented Disclosure applied, without `_sd`,
    /// `_sd_alg` and undisclosed digests.
    pub claims: Map<String, Value>,
    /// Each Disclosure's place, in the order they were applied.
    pub placed: Vec<Placed>,
}

/// Applies `disclosures` to `payload` (the issuer-signed JWT's claims).
pub fn unpack(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Unpacked, SdJwtError> {
    let mut by_digest: HashMap<&str, &Disclosure> = HashMap::with_capacity(disclosures.len());
    for disclosure in disclosures {
        if by_digest.insert(&disclosure.digest, disclosure).is_some() {
            return Err(SdJwtError::DuplicateDisclosure(disclosure.text.clone()));
        }
    }
    let mut state = State {
        by_digest,
        seen: HashSet::new(),
        placed: Vec::new(),
        path: Vec::new(),
    };
    let mut claims = payload.clone();
    claims.remove("_sd_alg");
    state.object(&mut claims, 0)?;
    if let Some(unused) = disclosures.iter().find(|d| !state.used(&d.digest)) {
        return Err(SdJwtError::UnreferencedDisclosure(unused.text.clone()));
    }
    Ok(Unpacked {
        claims,
        placed: state.placed,
    })
}

struct State<'a> {
    by_digest: HashMap<&'a str, &'a Disclosure>,
    seen: HashSet<String>,
    placed: Vec<Placed>,
    path: Vec<Step>,
}

impl State<'_> {
    fn used(&self, digest: &str) -> bool {
        self.by_digest.contains_key(digest) && self.seen.contains(digest)
    }

    /// Marks `digest` seen (refusing a second occurrence) and returns its
    /// Disclosure, if presented.
    fn take(&mut self, digest: &str) -> Result<Option<Disclosure>, SdJwtError> {
        if !self.seen.insert(digest.to_owned()) {
            return Err(SdJwtError::DuplicateDigest(digest.to_owned()));
        }
        Ok(self.by_digest.get(digest).map(|d| (*d).clone()))
    }

    fn value(&mut self, value: &mut Value, depth: usize) -> Result<(), SdJwtError> {
        match value {
            Value::Object(object) => self.object(object, depth + 1),
            Value::Array(array) => self.array(array, depth + 1),
            _ => Ok(()),
        }
    }

    fn object(&mut self, object: &mut Map<String, Value>, depth: usize) -> Result<(), SdJwtError> {
        if depth > MAX_DEPTH {
            return Err(SdJwtError::TooLarge(format!(
                "nesting deeper than {MAX_DEPTH}"
            )));
        }
        let digests = match object.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|d| match d {
                    Value::String(d) => Ok(d),
                    other => Err(SdJwtError::Malformed(format!(
                        "a digest in _sd is not a string: {other}"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(SdJwtError::Malformed(format!(
                    "_sd is not an array: {other}"
                )))
            }
        };
        for (key, member) in object.iter_mut() {
            self.path.push(Step::Key(key.clone()));
            self.value(member, depth)?;
            self.path.pop();
        }
        for digest in digests {
            let Some(disclosure) = self.take(&digest)? else {
                continue;
            };
            let Disclosed::Property(name, mut value) = disclosure.disclosed else {
                return Err(SdJwtError::WrongDisclosureKind(disclosure.text));
            };
            if name == "_sd" || name == "..." {
                return Err(SdJwtError::ReservedClaimName(name));
            }
            if object.contains_key(&name) {
                return Err(SdJwtError::ClaimCollision(name));
            }
            self.path.push(Step::Key(name.clone()));
            self.value(&mut value, depth)?;
            self.placed.push(Placed {
                path: self.path.clone(),
                digest,
            });
            self.path.pop();
            object.insert(name, value);
        }
        Ok(())
    }

    fn array(&mut self, array: &mut Vec<Value>, depth: usize) -> Result<(), SdJwtError> {
        if depth > MAX_DEPTH {
            return Err(SdJwtError::TooLarge(format!(
                "nesting deeper than {MAX_DEPTH}"
            )));
        }
        let mut out = Vec::with_capacity(array.len());
        for element in std::mem::take(array) {
            let mut value = match element_digest(&element)? {
                Some(digest) => {
                    let Some(disclosure) = self.take(&digest)? else {
                        continue;
                    };
                    let Disclosed::Element(value) = disclosure.disclosed else {
                        return Err(SdJwtError::WrongDisclosureKind(disclosure.text));
                    };
                    self.path.push(Step::Index(out.len()));
                    self.placed.push(Placed {
                        path: self.path.clone(),
                        digest,
                    });
                    self.path.pop();
                    value
                }
                None => element,
            };
            self.path.push(Step::Index(out.len()));
            self.value(&mut value, depth)?;
            self.path.pop();
            out.push(value);
        }
        *array = out;
        Ok(())
    }
}

/// The digest of an array element `{"...": digest}`, if it is one.
fn element_digest(element: &Value) -> Result<Option<String>, SdJwtError> {
    let Value::Object(object) = element else {
        return Ok(None);
    };
    match object.get("...") {
        None => Ok(None),
        Some(Value::String(digest)) if object.len() == 1 => Ok(Some(digest.clone())),
        Some(_) => Err(SdJwtError::Malformed(
            "an array element with \"...\" must be exactly {\"...\": digest}".into(),
        )),
    }
}
