//! The SD-JWT as presented: the issuer-signed JWT, its Disclosures and an
//! optional KB-JWT, from the compact form `<JWT>~<D1>~…~<Dn>~[<KB-JWT>]`
//! (RFC 9901 §4) or the JWS JSON serialization (§8: flattened or general,
//! Disclosures and KB-JWT in the unprotected header).

use crate::SdJwtError;
use serde_json::Value;

/// The longest SD-JWT accepted, in bytes.
pub const MAX_SD_JWT_BYTES: usize = 256 << 10;
/// The most Disclosures one SD-JWT may carry.
pub const MAX_DISCLOSURES: usize = 1024;

/// An SD-JWT split into its parts; nothing verified yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdJwt {
    /// The issuer-signed JWT, compact.
    pub issuer_jwt: String,
    /// The Disclosures, as presented.
    pub disclosures: Vec<String>,
    /// The KB-JWT, if presented.
    pub key_binding: Option<String>,
}

impl SdJwt {
    /// Parses an SD-JWT in compact form (surrounding whitespace ignored) or
    /// in the JWS JSON serialization.
    pub fn parse(text: &str) -> Result<Self, SdJwtError> {
        let text = text.trim();
        if text.len() > MAX_SD_JWT_BYTES {
            return Err(SdJwtError::TooLarge(format!(
                "{} bytes; at most {MAX_SD_JWT_BYTES}",
                text.len()
            )));
        }
        if text.starts_with('{') {
            return Self::parse_json(text);
        }
        let mut parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 {
            return Err(SdJwtError::Malformed("no '~': a JWT, not an SD-JWT".into()));
        }
        let last = parts.pop().unwrap_or_default();
        let issuer_jwt = parts.remove(0);
        let key_binding = (!last.is_empty()).then(|| last.to_owned());
        Self::from_parts(
            issuer_jwt,
            parts.into_iter().map(str::to_owned).collect(),
            key_binding,
        )
    }

    /// The JWS JSON serialization: `protected`, `payload`, `signature` (or
    /// the first of `signatures`), with `disclosures` and `kb_jwt` in that
    /// signature's unprotected `header`.
    fn parse_json(text: &str) -> Result<Self, SdJwtError> {
        let json: Value = serde_json::from_str(text)
            .map_err(|e| SdJwtError::Malformed(format!("JSON serialization: {e}")))?;
        let payload = string_at(&json, "payload")?;
        let signature = match json.get("signatures") {
            Some(Value::Array(signatures)) => signatures
                .first()
                .ok_or_else(|| SdJwtError::Malformed("no signatures".into()))?,
            Some(_) => return Err(SdJwtError::Malformed("signatures is not an array".into())),
            None => &json,
        };
        let protected = string_at(signature, "protected")?;
        let sig = string_at(signature, "signature")?;
        let header = signature.get("header");
        let disclosures = match header.and_then(|h| h.get("disclosures")) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|d| d.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| SdJwtError::Malformed("a Disclosure is not a string".into()))?,
            Some(_) => return Err(SdJwtError::Malformed("disclosures is not an array".into())),
            None => Vec::new(),
        };
        let key_binding = match header.and_then(|h| h.get("kb_jwt")) {
            Some(Value::String(kb)) => Some(kb.clone()),
            Some(_) => return Err(SdJwtError::Malformed("kb_jwt is not a string".into())),
            None => None,
        };
        let issuer_jwt = format!("{protected}.{payload}.{sig}");
        Self::from_parts(&issuer_jwt, disclosures, key_binding)
    }

    fn from_parts(
        issuer_jwt: &str,
        disclosures: Vec<String>,
        key_binding: Option<String>,
    ) -> Result<Self, SdJwtError> {
        if issuer_jwt.split('.').count() != 3 {
            return Err(SdJwtError::Malformed(
                "the issuer-signed JWT is not a compact JWS".into(),
            ));
        }
        if disclosures.len() > MAX_DISCLOSURES {
            return Err(SdJwtError::TooLarge(format!(
                "{} Disclosures; at most {MAX_DISCLOSURES}",
                disclosures.len()
            )));
        }
        if disclosures.iter().any(String::is_empty) {
            return Err(SdJwtError::Malformed("an empty Disclosure ('~~')".into()));
        }
        if key_binding
            .as_ref()
            .is_some_and(|kb| kb.split('.').count() != 3)
        {
            return Err(SdJwtError::Malformed(
                "the KB-JWT is not a compact JWS".into(),
            ));
        }
        Ok(Self {
            issuer_jwt: issuer_jwt.to_owned(),
            disclosures,
            key_binding,
        })
    }

    /// The SD-JWT without its KB-JWT, `<JWT>~<D1>~…~<Dn>~`: what a KB-JWT's
    /// `sd_hash` covers.
    pub fn without_key_binding(&self) -> String {
        let mut out = self.issuer_jwt.clone();
        out.push('~');
        for disclosure in &self.disclosures {
            out.push_str(disclosure);
            out.push('~');
        }
        out
    }

    /// The compact form (with the KB-JWT, if any).
    pub fn to_compact(&self) -> String {
        let mut out = self.without_key_binding();
        if let Some(kb) = &self.key_binding {
            out.push_str(kb);
        }
        out
    }
}

fn string_at<'a>(json: &'a Value, key: &str) -> Result<&'a str, SdJwtError> {
    json.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| SdJwtError::Malformed(format!("JSON serialization: no {key}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_compact_form() {
        let sd = SdJwt::parse("a.b.c~d1~d2~").expect("parses");
        assert_eq!(sd.disclosures, ["d1", "d2"]);
        assert_eq!(sd.key_binding, None);
        assert_eq!(sd.to_compact(), "a.b.c~d1~d2~");
        let kb = SdJwt::parse("a.b.c~d1~x.y.z").expect("parses");
        assert_eq!(kb.key_binding.as_deref(), Some("x.y.z"));
        assert_eq!(kb.without_key_binding(), "a.b.c~d1~");
        assert_eq!(SdJwt::parse("a.b.c~").expect("parses").disclosures.len(), 0);
    }

    #[test]
    fn refuses_what_is_not_an_sd_jwt() {
        for bad in [
            "a.b.c",
            "a.b~d~",
            "a.b.c~~d~",
            "a.b.c~d~x.y",
            "{\"payload\":1}",
        ] {
            assert!(
                matches!(SdJwt::parse(bad), Err(SdJwtError::Malformed(_))),
                "{bad}"
            );
        }
        let many = format!("a.b.c~{}", "d~".repeat(MAX_DISCLOSURES + 1));
        assert!(matches!(SdJwt::parse(&many), Err(SdJwtError::TooLarge(_))));
        let long = format!("a.b.c~{}~", "d".repeat(MAX_SD_JWT_BYTES));
        assert!(matches!(SdJwt::parse(&long), Err(SdJwtError::TooLarge(_))));
    }
}
