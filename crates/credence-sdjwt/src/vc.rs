//! The SD-JWT VC profile (draft-ietf-oauth-sd-jwt-vc) on a verified
//! SD-JWT: header `typ` `dc+sd-jwt`; `iss` and `vct` present, strings;
//! the claims that must stay plain (`iss`, `nbf`, `exp`, `cnf`, `vct`,
//! `vct#integrity`, `status`) not selectively disclosed; and the status
//! reference read.

use crate::status_list::StatusReference;
use crate::unpack::Step;
use crate::verify::Verified;
use crate::SdJwtError;
use serde_json::{Map, Value};

/// The `typ` of an SD-JWT VC.
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";

/// The claims an issuer must not make selectively disclosable.
pub const NEVER_DISCLOSED: [&str; 7] =
    ["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// The claims an SD-JWT VC issuer keeps plain: those that must be, and
/// `iat` and `sub` (when it was issued, and whom it is about).
pub fn kept_plain(claim: &str) -> bool {
    NEVER_DISCLOSED.contains(&claim) || claim == "iat" || claim == "sub"
}

/// The issuance rule of an SD-JWT VC: every claim selectively disclosable
/// — each object property and each array element, at every depth —
/// except under the claims [`kept_plain`].
pub fn disclosable(path: &[Step]) -> bool {
    match path.first() {
        Some(Step::Key(claim)) => !kept_plain(claim),
        _ => false,
    }
}

/// A verified SD-JWT VC: what decisions read.
#[derive(Debug, Clone, PartialEq)]
pub struct SdJwtVc {
    /// `iss`: the issuer.
    pub issuer: String,
    /// `vct`: the credential type.
    pub vct: String,
    /// `sub`, if present.
    pub subject: Option<String>,
    /// `iat`, `nbf`, `exp`, when present.
    pub iat: Option<i64>,
    /// `nbf`.
    pub nbf: Option<i64>,
    /// `exp`.
    pub exp: Option<i64>,
    /// The Token Status List reference, if any.
    pub status: Option<StatusReference>,
    /// Every claim, disclosed ones applied.
    pub claims: Map<String, Value>,
}

/// The SD-JWT VC checks on `verified` (whose header `typ` the caller
/// required to be [`SD_JWT_VC_TYP`]).
pub fn check_vc(verified: &Verified) -> Result<SdJwtVc, SdJwtError> {
    for placed in &verified.placed {
        if let [Step::Key(name)] = placed.path.as_slice() {
            if NEVER_DISCLOSED.contains(&name.as_str()) {
                return Err(SdJwtError::NotDisclosable(name.clone()));
            }
        }
    }
    let claims = &verified.claims;
    let string = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| SdJwtError::MissingClaim(name.into()))
    };
    let int = |name: &str| claims.get(name).and_then(Value::as_i64);
    let status = match claims.get("status") {
        None => None,
        Some(status) => Some(StatusReference::from_claim(status)?),
    };
    let subject = match claims.get("sub") {
        None => None,
        Some(Value::String(sub)) => Some(sub.clone()),
        Some(_) => return Err(SdJwtError::MissingClaim("sub".into())),
    };
    Ok(SdJwtVc {
        issuer: string("iss")?,
        vct: string("vct")?,
        subject,
        iat: int("iat"),
        nbf: int("nbf"),
        exp: int("exp"),
        status,
        claims: claims.clone(),
    })
}
