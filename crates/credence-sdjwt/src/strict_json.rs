//! JSON parsed strictly: an object with the same member name twice is
//! refused. serde_json keeps the last of duplicate members and other
//! parsers the first, so an issuer payload or a Disclosure with duplicates
//! would say different things to different verifiers; Credence decides
//! only on JSON that reads one way.

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Deserializes nothing, refusing an object with a member name twice at
/// any depth (numbers, strings and the rest are skipped).
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value without duplicate member names")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_i64<E: Error>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_u64<E: Error>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_f64<E: Error>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_str<E: Error>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_unit<E: Error>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut names = std::collections::HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !names.insert(name.clone()) {
                return Err(A::Error::custom(format!("duplicate member name {name:?}")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

/// Parses `bytes` as JSON, refusing duplicate member names.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<NoDuplicates>(bytes)?;
    serde_json::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_any_depth_and_the_rest_reads_as_serde_json() {
        for bad in [r#"{"a":1,"a":2}"#, r#"[{"x":{"b":1,"b":1}}]"#] {
            assert!(from_slice(bad.as_bytes()).is_err(), "{bad}");
        }
        let good = r#"{"a":[1,-2,3.5,"s",true,null,{"b":{}}]}"#;
        assert_eq!(
            from_slice(good.as_bytes()).expect("parses"),
            serde_json::from_str::<Value>(good).expect("parses")
        );
    }
}
