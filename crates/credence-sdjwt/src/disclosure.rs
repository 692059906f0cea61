//! Disclosures (RFC 9901 §4.2): base64url of a JSON array `[salt, name,
//! value]` (an object property) or `[salt, value]` (an array element).

use crate::digest::digest;
use crate::SdJwtError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// What a Disclosure discloses.
#[derive(Debug, Clone, PartialEq)]
pub enum Disclosed {
    /// An object property: its name and value.
    Property(String, Value),
    /// An array element's value.
    Element(Value),
}

/// One Disclosure, decoded, with its text and digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The text as presented (what the digest covers).
    pub text: String,
    /// Its digest.
    pub digest: String,
    /// The salt.
    pub salt: String,
    /// What it discloses.
    pub disclosed: Disclosed,
}

impl Disclosure {
    /// Decodes the Disclosure `text`.
    pub fn decode(text: &str) -> Result<Self, SdJwtError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| SdJwtError::Malformed(format!("Disclosure is not base64url: {text}")))?;
        let array = match crate::strict_json::from_slice(&bytes) {
            Ok(Value::Array(array)) => array,
            _ => {
                return Err(SdJwtError::Malformed(format!(
                    "Disclosure is not a JSON array (without duplicate member names): {text}"
                )))
            }
        };
        let mut items = array.into_iter();
        let salt = match items.next() {
            Some(Value::String(salt)) => salt,
            _ => return Err(SdJwtError::Malformed(format!("Disclosure salt: {text}"))),
        };
        let rest: Vec<Value> = items.collect();
        let disclosed = match <[Value; 2]>::try_from(rest) {
            Ok([Value::String(name), value]) => Disclosed::Property(name, value),
            Ok(_) => {
                return Err(SdJwtError::Malformed(format!(
                    "Disclosure claim name is not a string: {text}"
                )))
            }
            Err(rest) => match <[Value; 1]>::try_from(rest) {
                Ok([value]) => Disclosed::Element(value),
                Err(_) => {
                    return Err(SdJwtError::Malformed(format!(
                        "Disclosure is not 2 or 3 elements: {text}"
                    )))
                }
            },
        };
        Ok(Self {
            text: text.to_owned(),
            digest: digest(text),
            salt,
            disclosed,
        })
    }

    /// A new Disclosure of `disclosed` with `salt`.
    pub fn new(salt: String, disclosed: Disclosed) -> Self {
        let array = match &disclosed {
            Disclosed::Property(name, value) => Value::Array(vec![
                salt.clone().into(),
                name.clone().into(),
                value.clone(),
            ]),
            Disclosed::Element(value) => Value::Array(vec![salt.clone().into(), value.clone()]),
        };
        let text = URL_SAFE_NO_PAD.encode(array.to_string());
        Self {
            digest: digest(&text),
            text,
            salt,
            disclosed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_both_kinds_and_refuses_others() {
        let d =
            Disclosure::decode("WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd")
                .expect("decodes");
        assert_eq!(
            d.disclosed,
            Disclosed::Property("given_name".into(), json!("John"))
        );
        assert_eq!(d.digest, "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4");
        let e = Disclosure::new("s".into(), Disclosed::Element(json!("US")));
        assert_eq!(Disclosure::decode(&e.text).expect("decodes"), e);
        for bad in [
            json!(["s"]),
            json!(["s", 1, 2]),
            json!([1, "n", 2]),
            json!(["s", "n", 1, 2]),
            json!({}),
        ] {
            let text = URL_SAFE_NO_PAD.encode(bad.to_string());
            assert!(
                matches!(Disclosure::decode(&text), Err(SdJwtError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Disclosure::decode("not base64!"),
            Err(SdJwtError::Malformed(_))
        ));
    }
}
