//! The holder's side: which Disclosures to present (only those a wanted
//! claim needs, with the Disclosures that contain them), and the KB-JWT.

use crate::compact::SdJwt;
use crate::disclosure::Disclosure;
use crate::key_binding::key_binding_jwt;
use crate::unpack::{unpack, Step};
use crate::SdJwtError;
use serde_json::{Map, Value};
use ssi::JWK;

/// The SD-JWT `issued` (with every Disclosure; `payload` its issuer-signed
/// claims) reduced to the Disclosures of the claims `wanted` accepts
/// (paths as in the fully disclosed claims) and those that contain them.
pub fn select(
    issued: &SdJwt,
    payload: &Map<String, Value>,
    wanted: &dyn Fn(&[Step]) -> bool,
) -> Result<SdJwt, SdJwtError> {
    let disclosures = issued
        .disclosures
        .iter()
        .map(|d| Disclosure::decode(d))
        .collect::<Result<Vec<_>, _>>()?;
    let unpacked = unpack(payload, &disclosures)?;
    let kept: Vec<&[Step]> = unpacked
        .placed
        .iter()
        .filter(|p| wanted(&p.path))
        .map(|p| p.path.as_slice())
        .collect();
    let keep: std::collections::HashSet<&str> = unpacked
        .placed
        .iter()
        .filter(|p| kept.iter().any(|k| k.starts_with(&p.path)))
        .map(|p| p.digest.as_str())
        .collect();
    Ok(SdJwt {
        issuer_jwt: issued.issuer_jwt.clone(),
        disclosures: disclosures
            .into_iter()
            .filter(|d| keep.contains(d.digest.as_str()))
            .map(|d| d.text)
            .collect(),
        key_binding: None,
    })
}

/// `presentation` with a KB-JWT by `holder` for `nonce` and `audience`
/// at `iat`.
pub fn bind(
    mut presentation: SdJwt,
    holder: &JWK,
    nonce: &str,
    audience: &str,
    iat: i64,
) -> Result<SdJwt, SdJwtError> {
    let kb = key_binding_jwt(
        holder,
        &presentation.without_key_binding(),
        nonce,
        audience,
        iat,
    )?;
    presentation.key_binding = Some(kb);
    Ok(presentation)
}
