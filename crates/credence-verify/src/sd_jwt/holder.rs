//! The holder of an SD-JWT VC: the subject `sub`, a did:key or did:jwk
//! (so no URL is fetched for it), whose `authentication` key is the
//! credential's `cnf.jwk` — the key the KB-JWT was verified with, and the
//! key the minted token is bound to.

use crate::signed::bounded::Bounded;
use crate::BindingError;
use credence_did::{absolute, authorized_in, resolve_local, LocalResolver};
use serde_json::Value;
use ssi::JWK;

/// The holder's DID and the RFC 7638 thumbprint of its key. A did:key or
/// did:jwk document is computed from the DID alone, so a binding once
/// established is kept in `known` (by DID and thumbprint).
pub(crate) async fn bound_holder(
    subject: Option<&str>,
    holder_key: Option<&JWK>,
    known: &Bounded<()>,
) -> Result<(String, String), BindingError> {
    let mismatch = |why: &str| BindingError::HolderMismatch(why.to_owned());
    let did = subject.ok_or_else(|| mismatch("the SD-JWT VC has no sub (the holder's DID)"))?;
    let key = holder_key.ok_or_else(|| mismatch("the SD-JWT VC has no cnf.jwk"))?;
    if !LocalResolver::supports(did) {
        return Err(mismatch("the holder must be a did:key or did:jwk"));
    }
    let jkt = key
        .thumbprint()
        .map_err(|e| mismatch(&format!("cnf.jwk has no thumbprint: {e}")))?;
    let binding = format!("{did} {jkt}");
    if known.get(&binding).is_some() {
        return Ok((did.to_owned(), jkt));
    }
    let document = resolve_local(did)
        .await
        .map_err(|e| mismatch(&format!("the holder DID does not resolve: {e}")))?;
    let methods: Vec<String> = document
        .get("authentication")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e.as_str().or_else(|| e.get("id").and_then(Value::as_str)))
                .filter_map(|id| absolute(id, did))
                .collect()
        })
        .unwrap_or_default();
    let bound = methods.iter().any(|m| {
        authorized_in(&document, m, "authentication")
            .and_then(|method| method.jwk())
            .is_ok_and(|jwk| jwk.equals_public(key))
    });
    if !bound {
        return Err(mismatch(
            "cnf.jwk is not an authentication key of the subject's DID",
        ));
    }
    known.put(binding, ());
    Ok((did.to_owned(), jkt))
}
