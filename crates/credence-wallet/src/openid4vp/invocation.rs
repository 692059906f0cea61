//! How a wallet is handed an OpenID4VP request (OpenID4VP 1.0 §5): a URL
//! (`openid4vp://?…`, or https) carrying the request by value (`request`),
//! by reference (`request_uri`, optionally `request_uri_method=post`), or
//! as plain parameters (unsigned); or a bare request object.

use super::Openid4vpError;
use credence_core::{AuthorizationRequest, DcqlQuery};
use std::collections::HashMap;

/// The largest invocation accepted, in bytes.
const MAX_INVOCATION: usize = 64 * 1024;

/// An OpenID4VP request as the wallet received it, nothing checked yet.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Invocation {
    /// A request object by value (a compact JWS), with the URL's
    /// `client_id` when it came in a URL.
    ByValue {
        /// The URL's `client_id` parameter.
        client_id: Option<String>,
        /// The request object.
        request: String,
    },
    /// A request object to fetch.
    ByReference {
        /// The URL's `client_id` parameter (REQUIRED, OpenID4VP §5.1).
        client_id: String,
        /// Where the request object is.
        request_uri: String,
        /// `request_uri_method=post`: POST a `wallet_nonce` to fetch it.
        post: bool,
    },
    /// An unsigned request: every parameter in the URL.
    Unsigned(Box<AuthorizationRequest>),
}

impl Invocation {
    /// Reads `text`: a URL with a query, or a compact JWS (a file's
    /// content, say; surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, Openid4vpError> {
        let bad = |why: &str| Openid4vpError::Invocation(why.to_owned());
        let text = text.trim();
        if text.len() > MAX_INVOCATION {
            return Err(bad("longer than 64 KiB"));
        }
        if is_compact_jws(text) {
            return Ok(Self::ByValue {
                client_id: None,
                request: text.to_owned(),
            });
        }
        let url =
            url::Url::parse(text).map_err(|e| bad(&format!("neither a URL nor a JWS: {e}")))?;
        let mut params: HashMap<String, String> = HashMap::new();
        for (name, value) in url.query_pairs() {
            if params.insert(name.to_string(), value.to_string()).is_some() {
                return Err(bad(&format!("parameter {name} given twice")));
            }
        }
        Self::from_params(params)
    }

    fn from_params(mut params: HashMap<String, String>) -> Result<Self, Openid4vpError> {
        let bad = |why: String| Openid4vpError::Invocation(why);
        if let Some(request) = params.remove("request") {
            if params.contains_key("request_uri") {
                return Err(bad("both request and request_uri".into()));
            }
            return Ok(Self::ByValue {
                client_id: params.remove("client_id"),
                request,
            });
        }
        if let Some(request_uri) = params.remove("request_uri") {
            let client_id = params
                .remove("client_id")
                .ok_or_else(|| bad("request_uri without client_id".into()))?;
            let post = match params.remove("request_uri_method").as_deref() {
                None | Some("get") => false,
                Some("post") => true,
                Some(other) => return Err(bad(format!("request_uri_method {other}"))),
            };
            return Ok(Self::ByReference {
                client_id,
                request_uri,
                post,
            });
        }
        let state = params.remove("state");
        let response_uri = params.remove("response_uri");
        let redirect_uri = params.remove("redirect_uri");
        let transaction_data = params
            .remove("transaction_data")
            .map(serde_json::Value::String);
        let mut take = |name: &str| {
            params
                .remove(name)
                .ok_or_else(|| bad(format!("no {name} parameter")))
        };
        let dcql_query: DcqlQuery = serde_json::from_str(&take("dcql_query")?)
            .map_err(|e| bad(format!("dcql_query: {e}")))?;
        let client_id = take("client_id")?;
        // `redirect_uri:` names where the answer goes; `response_uri` may
        // then be left out (OpenID4VP §5.9.3).
        let implied = client_id
            .strip_prefix(credence_core::REDIRECT_URI_CLIENT_PREFIX)
            .map(str::to_owned);
        let response_uri = response_uri
            .or(implied)
            .ok_or_else(|| bad("no response_uri parameter".into()))?;
        Ok(Self::Unsigned(Box::new(AuthorizationRequest {
            client_id,
            response_type: take("response_type")?,
            response_mode: take("response_mode")?,
            response_uri,
            nonce: take("nonce")?,
            state,
            dcql_query,
            aud: None,
            iss: None,
            iat: None,
            exp: None,
            client_metadata: None,
            wallet_nonce: None,
            transaction_data,
            redirect_uri,
        })))
    }
}

/// Three non-empty base64url parts.
fn is_compact_jws(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_reference_with_and_without_post() {
        let url = "openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Ax&request_uri=https%3A%2F%2Fx%2Fr%2F1";
        assert_eq!(
            Invocation::parse(url).unwrap(),
            Invocation::ByReference {
                client_id: "decentralized_identifier:did:web:x".into(),
                request_uri: "https://x/r/1".into(),
                post: false
            }
        );
        let post = format!("{url}&request_uri_method=post");
        assert!(matches!(
            Invocation::parse(&post).unwrap(),
            Invocation::ByReference { post: true, .. }
        ));
    }

    #[test]
    fn malformed_invocations_are_refused() {
        for bad in [
            "openid4vp://?request_uri=https%3A%2F%2Fx",
            "openid4vp://?client_id=a&request_uri=https%3A%2F%2Fx&request_uri_method=put",
            "openid4vp://?client_id=a&client_id=b&request_uri=https%3A%2F%2Fx",
            "openid4vp://?request=a.b.c&request_uri=https%3A%2F%2Fx",
            "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fx",
            "not a url",
        ] {
            assert!(
                matches!(Invocation::parse(bad), Err(Openid4vpError::Invocation(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_unsigned_redirect_uri_request_may_omit_response_uri() {
        let dcql = serde_json::to_string(&credence_core::agent_credential_query(&["organization"]))
            .unwrap();
        let url = url::Url::parse_with_params(
            "openid4vp://",
            [
                ("client_id", "redirect_uri:https://rp.example/cb"),
                ("response_type", "vp_token"),
                ("response_mode", "direct_post"),
                ("nonce", "n"),
                ("dcql_query", &dcql),
                ("transaction_data", "e30"),
            ],
        )
        .unwrap();
        let Invocation::Unsigned(request) = Invocation::parse(url.as_str()).unwrap() else {
            panic!("not unsigned")
        };
        assert_eq!(request.response_uri, "https://rp.example/cb");
        assert!(request.transaction_data.is_some());
    }

    #[test]
    fn a_bare_jws_is_by_value() {
        assert!(matches!(
            Invocation::parse("  eyJh.eyJj.c2ln\n").unwrap(),
            Invocation::ByValue { client_id: None, request } if request == "eyJh.eyJj.c2ln"
        ));
    }
}
