//! The `vp_token` of an OpenID4VP `direct_post` (OpenID4VP 1.0 §8.1),
//! parsed once into typed answers: a JSON object keyed by credential query
//! ids of the request, each an array of exactly one presentation (Credence
//! asks for no `multiple`) in the query's format — a VP object for
//! `ldp_vc`, a compact SD-JWT+KB string for `dc+sd-jwt`.

use crate::parse::UnverifiedPresentation;
use crate::{BindingError, VerifyError};
use credence_core::{PresentationRequest, DC_SD_JWT, LDP_VC};
use credence_sdjwt::SdJwt;
use serde_json::Value;

/// One presentation of a `vp_token`, parsed for its query's format.
pub(crate) enum Answer {
    /// A W3C VP secured with Data Integrity.
    Ldp(Box<UnverifiedPresentation>),
    /// An SD-JWT VC with its KB-JWT.
    SdJwt(Box<SdJwt>),
}

fn malformed(why: impl Into<String>) -> VerifyError {
    BindingError::VpToken(why.into()).into()
}

/// Parses `text` (duplicate member names refused) into the answer to each
/// query it names, in the request's query order.
pub(crate) fn parse_vp_token(
    text: &str,
    request: &PresentationRequest,
) -> Result<Vec<(String, Answer)>, VerifyError> {
    let value = credence_sdjwt::strict_json::from_slice(text.as_bytes())
        .map_err(|e| malformed(format!("not JSON: {e}")))?;
    let Value::Object(entries) = value else {
        return Err(malformed("a JSON object keyed by credential query ids"));
    };
    if entries.is_empty() {
        return Err(malformed("no presentation"));
    }
    if let Some(unknown) = entries
        .keys()
        .find(|id| request.dcql_query.query(id).is_none())
    {
        return Err(BindingError::UnknownQuery(unknown.clone()).into());
    }
    let mut answers = Vec::with_capacity(entries.len());
    for query in &request.dcql_query.credentials {
        let Some(entry) = entries.get(&query.id) else {
            continue;
        };
        let presentation = match entry.as_array().map(Vec::as_slice) {
            Some([one]) => one,
            _ => {
                return Err(malformed(format!(
                    "`{}`: an array of exactly one presentation",
                    query.id
                )))
            }
        };
        let answer = match (query.format.as_str(), presentation) {
            (LDP_VC, vp @ Value::Object(_)) => {
                Answer::Ldp(Box::new(UnverifiedPresentation::parse(vp)?))
            }
            (DC_SD_JWT, Value::String(compact)) => {
                Answer::SdJwt(Box::new(SdJwt::parse(compact).map_err(VerifyError::SdJwt)?))
            }
            (format, _) => {
                return Err(malformed(format!(
                    "`{}`: a {format} presentation is {}",
                    query.id,
                    if format == LDP_VC {
                        "a JSON object"
                    } else {
                        "a string"
                    }
                )))
            }
        };
        answers.push((query.id.clone(), answer));
    }
    Ok(answers)
}
