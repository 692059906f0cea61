//! The checks on an authorization request's parameters, once the wallet
//! knows who made it (OpenID4VP 1.0 §5, §5.8, §5.10; RFC 9101 §4).

use super::Openid4vpError;
use credence_core::{AuthorizationRequest, DIRECT_POST, SELF_ISSUED_AUDIENCE, VP_TOKEN_RESPONSE};

/// How far in the future an `iat` may lie (clock skew), in seconds.
const IAT_SKEW_SECS: i64 = 60;
/// How long a request without `exp` is answered, in seconds.
const DEFAULT_LIFETIME_SECS: i64 = 120;

/// Checks `request` at `now`; `wallet_nonce` is the one the wallet sent
/// when fetching it. Returns when the answer must be made by.
pub(crate) fn check_claims(
    request: &AuthorizationRequest,
    wallet_nonce: Option<&str>,
    now: i64,
) -> Result<i64, Openid4vpError> {
    response_type(request)?;
    unsupported_parameters(request)?;
    audience(request)?;
    echoed_wallet_nonce(request, wallet_nonce)?;
    validity(request, now)
}

/// `response_type=vp_token` answered by `direct_post`.
fn response_type(request: &AuthorizationRequest) -> Result<(), Openid4vpError> {
    if request.response_type != VP_TOKEN_RESPONSE {
        return Err(Openid4vpError::Unsupported(format!(
            "response_type {}",
            request.response_type
        )));
    }
    if request.response_mode != DIRECT_POST {
        return Err(Openid4vpError::Unsupported(format!(
            "response_mode {} (this wallet answers direct_post)",
            request.response_mode
        )));
    }
    Ok(())
}

/// No parameter this wallet cannot honour: `transaction_data` (a wallet
/// that does not support it must refuse, OpenID4VP §5.1) or a
/// `redirect_uri` beside `direct_post` (§8.2). `iss` is not looked at:
/// the wallet must ignore it (§5), deciding on the signed `client_id`.
fn unsupported_parameters(request: &AuthorizationRequest) -> Result<(), Openid4vpError> {
    if request.transaction_data.is_some() {
        return Err(Openid4vpError::Unsupported("transaction_data".into()));
    }
    if request.redirect_uri.is_some() {
        return Err(Openid4vpError::Unsupported(
            "redirect_uri with response_mode direct_post".into(),
        ));
    }
    Ok(())
}

/// An `aud`, when present, is the static-discovery audience: this wallet
/// publishes no metadata of its own (OpenID4VP §5.8).
fn audience(request: &AuthorizationRequest) -> Result<(), Openid4vpError> {
    match &request.aud {
        Some(aud) if aud != SELF_ISSUED_AUDIENCE => Err(Openid4vpError::Audience(aud.clone())),
        _ => Ok(()),
    }
}

/// The `wallet_nonce` sent with a POST fetch comes back (OpenID4VP §5.10).
fn echoed_wallet_nonce(
    request: &AuthorizationRequest,
    sent: Option<&str>,
) -> Result<(), Openid4vpError> {
    match sent {
        Some(sent) if request.wallet_nonce.as_deref() != Some(sent) => {
            Err(Openid4vpError::WalletNonce)
        }
        _ => Ok(()),
    }
}

/// Not expired, not made in the future; the answer is due by `exp`.
fn validity(request: &AuthorizationRequest, now: i64) -> Result<i64, Openid4vpError> {
    if let Some(iat) = request.iat {
        if iat > now + IAT_SKEW_SECS {
            return Err(Openid4vpError::Expired(format!(
                "iat {iat} is in the future"
            )));
        }
    }
    match request.exp {
        Some(exp) if exp <= now => Err(Openid4vpError::Expired(format!("exp {exp} has passed"))),
        Some(exp) => Ok(exp),
        None => Ok(now + DEFAULT_LIFETIME_SECS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_core::agent_credential_query;

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "decentralized_identifier:did:web:globex.example".into(),
            response_type: VP_TOKEN_RESPONSE.into(),
            response_mode: DIRECT_POST.into(),
            response_uri: "https://globex.example/openid4vp/response".into(),
            nonce: "n".into(),
            state: Some("s".into()),
            dcql_query: agent_credential_query(&["organization"]),
            aud: Some(SELF_ISSUED_AUDIENCE.into()),
            iss: Some("decentralized_identifier:did:web:globex.example".into()),
            iat: Some(1000),
            exp: Some(1100),
            client_metadata: None,
            wallet_nonce: Some("w".into()),
            transaction_data: None,
            redirect_uri: None,
        }
    }

    #[test]
    fn a_good_request_is_due_by_exp() {
        assert_eq!(check_claims(&request(), Some("w"), 1050).unwrap(), 1100);
        // `iss` is ignored (OpenID4VP §5): the signed client_id decides.
        let mut other_iss = request();
        other_iss.iss = Some("someone else".into());
        assert!(check_claims(&other_iss, Some("w"), 1050).is_ok());
        let mut no_exp = request();
        no_exp.exp = None;
        assert_eq!(check_claims(&no_exp, None, 1050).unwrap(), 1170);
    }

    #[test]
    fn each_bad_parameter_is_refused() {
        let check = |edit: fn(&mut AuthorizationRequest), sent: Option<&str>, now: i64| {
            let mut r = request();
            edit(&mut r);
            check_claims(&r, sent, now).unwrap_err()
        };
        let err = check(|r| r.response_mode = "direct_post.jwt".into(), None, 1050);
        assert!(matches!(err, Openid4vpError::Unsupported(_)), "{err}");
        let err = check(|r| r.response_type = "code".into(), None, 1050);
        assert!(matches!(err, Openid4vpError::Unsupported(_)), "{err}");
        let err = check(
            |r| r.transaction_data = Some(serde_json::json!(["e30"])),
            None,
            1050,
        );
        assert!(matches!(err, Openid4vpError::Unsupported(_)), "{err}");
        let err = check(|r| r.redirect_uri = Some("https://x/cb".into()), None, 1050);
        assert!(matches!(err, Openid4vpError::Unsupported(_)), "{err}");
        let err = check(
            |r| r.aud = Some("https://other-wallet.example".into()),
            None,
            1050,
        );
        assert!(matches!(err, Openid4vpError::Audience(_)), "{err}");
        let err = check(|_| {}, Some("another nonce"), 1050);
        assert!(matches!(err, Openid4vpError::WalletNonce), "{err}");
        let err = check(|r| r.wallet_nonce = None, Some("w"), 1050);
        assert!(matches!(err, Openid4vpError::WalletNonce), "{err}");
        let err = check(|_| {}, None, 1100);
        assert!(matches!(err, Openid4vpError::Expired(_)), "{err}");
        let err = check(|_| {}, None, 900);
        assert!(matches!(err, Openid4vpError::Expired(_)), "{err}");
    }
}
