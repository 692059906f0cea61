//! Checking a signed request object (RFC 9101; OpenID4VP 1.0 §5 and
//! §5.9.3, `decentralized_identifier:` prefix): the key that signed it is
//! a key of the DID its `client_id` names, and nothing past the header is
//! read before the signature verifies.

use super::Openid4vpError;
use credence_core::{AuthorizationRequest, ClientId, REQUEST_OBJECT_TYP};
use credence_did::{authorized_in, did_of, AuthorizedMethod, ResolveDid};
use credence_sdjwt::{jws, SdJwtError};
use serde_json::Value;

/// The relationships under which a verifier's key may sign its requests.
/// OpenID4VP only says "a key from `verificationMethod`"; Credence
/// requires the DID's controller to have listed it for one of these.
const REQUEST_KEY_RELATIONSHIPS: [&str; 2] = ["authentication", "assertionMethod"];

/// The verified claims of `jwt`, and the DID whose key signed them. The
/// header must have `typ` `oauth-authz-req+jwt`, EdDSA or ES256, and a
/// `kid` that is an absolute DID URL; when the request came in a URL, its
/// `client_id` must name that DID before anything is resolved.
pub(crate) async fn verify_request_object(
    jwt: &str,
    url_client_id: Option<&str>,
    resolver: &dyn ResolveDid,
) -> Result<(String, AuthorizationRequest), Openid4vpError> {
    let header = jws::header_of(jwt, &[REQUEST_OBJECT_TYP]).map_err(Openid4vpError::Header)?;
    let kid = header.key_id.ok_or_else(|| Openid4vpError::Kid {
        kid: None,
        reason: "the header names no key".into(),
    })?;
    let did = did_url_did(&kid)?;
    if let Some(url_client_id) = url_client_id {
        claimed_did(url_client_id, &kid, did)?;
    }
    let method = request_key(resolver, &kid).await?;
    let key = method.jwk().map_err(Openid4vpError::Key)?;
    let (_, claims) = jws::verify(
        jwt,
        &key,
        &[REQUEST_OBJECT_TYP],
        SdJwtError::BadIssuerSignature,
    )
    .map_err(|e| match e {
        SdJwtError::BadIssuerSignature => Openid4vpError::BadSignature(kid.clone()),
        other => Openid4vpError::Header(other),
    })?;
    let request: AuthorizationRequest = serde_json::from_value(Value::Object(claims))
        .map_err(|e| Openid4vpError::Claims(e.to_string()))?;
    claimed_did(&request.client_id, &kid, did)?;
    if let Some(url_client_id) = url_client_id {
        if url_client_id != request.client_id {
            return Err(Openid4vpError::ClientIdMismatch(format!(
                "the URL says {url_client_id}, the signed request {}",
                request.client_id
            )));
        }
    }
    Ok((did.to_owned(), request))
}

/// The DID of an absolute DID URL with a fragment (`did:web:x#key-1`).
fn did_url_did(kid: &str) -> Result<&str, Openid4vpError> {
    let did = did_of(kid);
    let fragment = kid.strip_prefix(did).and_then(|f| f.strip_prefix('#'));
    if !did.starts_with("did:") || fragment.is_none_or(str::is_empty) {
        return Err(Openid4vpError::Kid {
            kid: Some(kid.to_owned()),
            reason: "not an absolute DID URL with a fragment".into(),
        });
    }
    Ok(did)
}

/// `client_id` is `decentralized_identifier:` + exactly the kid's DID.
fn claimed_did(client_id: &str, kid: &str, did: &str) -> Result<(), Openid4vpError> {
    match ClientId::parse(client_id) {
        ClientId::Did(named) if named == did => Ok(()),
        ClientId::Did(named) => Err(Openid4vpError::Kid {
            kid: Some(kid.to_owned()),
            reason: format!("not a key of {named}, the client id's DID"),
        }),
        ClientId::RedirectUri(_) => Err(Openid4vpError::SignedAnonymous),
        ClientId::Other(_) => Err(Openid4vpError::UnsupportedClientId(client_id.to_owned())),
    }
}

/// The kid's method, from its DID's document (resolved once), under the
/// first of [`REQUEST_KEY_RELATIONSHIPS`] that lists it.
async fn request_key(
    resolver: &dyn ResolveDid,
    kid: &str,
) -> Result<AuthorizedMethod, Openid4vpError> {
    let document = resolver
        .resolve_did(did_of(kid))
        .await
        .map_err(Openid4vpError::Key)?;
    let [first, second] = REQUEST_KEY_RELATIONSHIPS;
    authorized_in(&document, kid, first)
        .or_else(|refusal| authorized_in(&document, kid, second).map_err(|_| refusal))
        .map_err(Openid4vpError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kid_must_be_an_absolute_did_url_with_a_fragment() {
        assert_eq!(did_url_did("did:web:x#k").unwrap(), "did:web:x");
        for bad in ["#k", "did:web:x", "did:web:x#", "https://x#k", "key-1"] {
            assert!(
                matches!(did_url_did(bad), Err(Openid4vpError::Kid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_client_id_must_name_the_kid_did() {
        let kid = "did:web:globex.example#request-key";
        assert!(claimed_did(
            "decentralized_identifier:did:web:globex.example",
            kid,
            "did:web:globex.example"
        )
        .is_ok());
        assert!(matches!(
            claimed_did(
                "decentralized_identifier:did:web:acme.example",
                kid,
                "did:web:globex.example"
            ),
            Err(Openid4vpError::Kid { .. })
        ));
        assert!(matches!(
            claimed_did("redirect_uri:https://x", kid, "did:web:globex.example"),
            Err(Openid4vpError::SignedAnonymous)
        ));
        assert!(matches!(
            claimed_did("did:web:globex.example", kid, "did:web:globex.example"),
            Err(Openid4vpError::UnsupportedClientId(_))
        ));
    }
}
