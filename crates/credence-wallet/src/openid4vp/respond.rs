//! Answering a checked OpenID4VP request: the plan (a dry run), the
//! `vp_token` keyed by credential query id (OpenID4VP 1.0 §8.1), its
//! `direct_post` to the response URI (§8.2), and the response code the
//! response endpoint hands back (§8.2, `redirect_uri`).

use super::{Openid4vpError, VerifiedRequest};
use crate::sd_jwt::SdJwtDisclosure;
use crate::{DisclosurePlan, PresentError, Wallet};
use credence_core::{correlation_id, DcqlQuery, PresentationRequest, DC_SD_JWT, LDP_VC};
use credence_store::AuditRecord;
use serde::Serialize;
use serde_json::{Map, Value};

/// What answering a request would disclose, to whom, and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponsePlan {
    /// Who is asking: a verified DID, or `anonymous`.
    pub verifier: String,
    /// The client id the presentations are bound to.
    pub client_id: String,
    /// Where the answer is POSTed.
    pub response_uri: String,
    /// The `ldp_vc` queries' credentials, one VP each.
    pub ldp_vc: Option<DisclosurePlan>,
    /// The `dc+sd-jwt` queries' credentials, one presentation each.
    pub sd_jwt: Vec<SdJwtDisclosure>,
}

/// What the response endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Openid4vpAnswer {
    /// The credential query ids answered, in `vp_token` order.
    pub presented: Vec<String>,
    /// Where the verifier sends the user next, when it says.
    pub redirect_uri: Option<String>,
    /// The one-time code in `redirect_uri`'s fragment (`response_code`),
    /// exchanged for a token at the verifier's token endpoint.
    pub response_code: Option<String>,
}

impl Wallet {
    /// What answering `request` would disclose: the holder policy applied
    /// to the verified identity, every query answered by a stored
    /// credential. Nothing is signed or sent.
    pub fn plan_openid4vp(
        &self,
        request: &VerifiedRequest,
    ) -> Result<ResponsePlan, Openid4vpError> {
        let presentation = &request.presentation;
        let dcql = &presentation.dcql_query;
        dcql.validate().map_err(PresentError::from)?;
        let (ldp, sd): (Vec<_>, Vec<_>) = dcql.credentials.iter().partition(|q| q.format == LDP_VC);
        if !sd.is_empty() && dcql.credential_sets.is_some() {
            return Err(Openid4vpError::Unsupported(
                "credential_sets over dc+sd-jwt queries".into(),
            ));
        }
        let ldp_vc = if ldp.is_empty() {
            None
        } else {
            let only_ldp = PresentationRequest {
                dcql_query: DcqlQuery {
                    credentials: ldp.into_iter().cloned().collect(),
                    credential_sets: dcql.credential_sets.clone(),
                },
                ..presentation.clone()
            };
            Some(self.plan_for(&only_ldp, &request.verifier)?)
        };
        let sd_jwt = sd
            .iter()
            .filter(|q| q.format == DC_SD_JWT)
            .map(|q| self.plan_sd_jwt(q, &request.verifier))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResponsePlan {
            verifier: request.verifier.to_string(),
            client_id: presentation.client_id.clone(),
            response_uri: request.request.response_uri.clone(),
            ldp_vc,
            sd_jwt,
        })
    }

    /// Answers `request` as planned ([`Wallet::plan_openid4vp`]): one VP
    /// per `ldp_vc` query (challenge = nonce, domain = client id; the
    /// delegation chain only when it is the only presentation), one SD-JWT
    /// VC presentation per `dc+sd-jwt` query (KB-JWT `aud` = client id),
    /// POSTed as `vp_token` with `state` to the response URI. Audited.
    pub async fn respond_openid4vp(
        &self,
        request: &VerifiedRequest,
    ) -> Result<Openid4vpAnswer, Openid4vpError> {
        let plan = match self.plan_openid4vp(request) {
            Ok(plan) => plan,
            Err(refusal) => {
                // Tell the verifier (OpenID4VP §8.5); the refusal stands
                // whether or not that POST gets through.
                let _ = self.decline_openid4vp(request).await;
                return Err(refusal);
            }
        };
        let vp_token = self.vp_token(request, &plan).await?;
        let presented: Vec<String> = vp_token.keys().cloned().collect();
        let vp_token = Value::Object(vp_token).to_string();
        let (status, body) = self
            .post_to_response_uri(request, vec![("vp_token", vp_token.as_str())])
            .await?;
        if status != 200 {
            return Err(Openid4vpError::Refused { status, body });
        }
        let (redirect_uri, response_code) = read_response(&body)?;
        Ok(Openid4vpAnswer {
            presented,
            redirect_uri,
            response_code,
        })
    }

    /// Tells the verifier the holder declines `request`: an error response
    /// (`access_denied`, with `state`) POSTed to its response URI (OpenID4VP
    /// §8.5). The description says no more than that, so a refusal reveals
    /// nothing of the holder policy. Audited.
    pub async fn decline_openid4vp(&self, request: &VerifiedRequest) -> Result<(), Openid4vpError> {
        let form = vec![
            ("error", "access_denied"),
            ("error_description", "the holder declined the request"),
        ];
        let (status, body) = self.post_to_response_uri(request, form).await?;
        let record = AuditRecord::new(
            &self.did,
            "decline",
            "done",
            &correlation_id(&request.presentation.nonce),
        )
        .reason(format!(
            "to {}: access_denied (HTTP {status})",
            request.verifier.as_client(&request.presentation.client_id)
        ));
        self.record(record)?;
        if status != 200 {
            return Err(Openid4vpError::Refused { status, body });
        }
        Ok(())
    }

    /// POSTs `form` and the request's `state` to its response URI
    /// (`direct_post`, OpenID4VP §8.2); (status, body).
    async fn post_to_response_uri<'a>(
        &self,
        request: &'a VerifiedRequest,
        mut form: Vec<(&'a str, &'a str)>,
    ) -> Result<(u16, String), Openid4vpError> {
        if let Some(state) = &request.request.state {
            form.push(("state", state));
        }
        self.fetcher
            .post_form(&request.request.response_uri, &form, "application/json")
            .await
            .map_err(|source| Openid4vpError::Fetch {
                what: "response_uri",
                source,
            })
    }

    async fn vp_token(
        &self,
        request: &VerifiedRequest,
        plan: &ResponsePlan,
    ) -> Result<Map<String, Value>, Openid4vpError> {
        let single =
            plan.sd_jwt.len() + plan.ldp_vc.as_ref().map_or(0, |p| p.credentials.len()) == 1;
        let mut vp_token = Map::new();
        if let Some(ldp) = &plan.ldp_vc {
            let answers = self
                .present_planned(&request.presentation, ldp, &request.verifier, true, single)
                .await?;
            for (query_id, vp) in answers {
                vp_token.insert(query_id, Value::Array(vec![vp]));
            }
        }
        for q in &plan.sd_jwt {
            let presentation = self
                .present_sd_jwt_for(&request.presentation, &q.query_id, &request.verifier)
                .await?;
            vp_token.insert(q.query_id.clone(), Value::Array(vec![presentation.into()]));
        }
        Ok(vp_token)
    }
}

/// The response endpoint's JSON: an optional `redirect_uri`, whose
/// fragment may carry a `response_code`.
fn read_response(body: &str) -> Result<(Option<String>, Option<String>), Openid4vpError> {
    let bad = |why: String| Openid4vpError::Response(why);
    let value: Value = serde_json::from_str(body).map_err(|e| bad(format!("not JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(bad("not a JSON object".into()));
    };
    let Some(redirect) = object.get("redirect_uri") else {
        return Ok((None, None));
    };
    let redirect = redirect
        .as_str()
        .ok_or_else(|| bad("redirect_uri is not a string".into()))?;
    let url = url::Url::parse(redirect).map_err(|e| bad(format!("redirect_uri: {e}")))?;
    let code = url.fragment().and_then(|f| {
        url::form_urlencoded::parse(f.as_bytes())
            .find(|(k, _)| k == "response_code")
            .map(|(_, v)| v.into_owned())
    });
    Ok((Some(redirect.to_owned()), code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_response_code_is_read_from_the_fragment() {
        let (uri, code) =
            read_response(r#"{"redirect_uri":"https://v.example/done#response_code=abc%2Bd"}"#)
                .unwrap();
        assert_eq!(
            uri.as_deref(),
            Some("https://v.example/done#response_code=abc%2Bd")
        );
        assert_eq!(code.as_deref(), Some("abc+d"));
        assert_eq!(read_response("{}").unwrap(), (None, None));
        for bad in [
            "[]",
            "nope",
            r#"{"redirect_uri":3}"#,
            r#"{"redirect_uri":"::"}"#,
        ] {
            assert!(
                matches!(read_response(bad), Err(Openid4vpError::Response(_))),
                "{bad}"
            );
        }
    }
}
