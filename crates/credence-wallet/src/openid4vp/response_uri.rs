//! Whether a `response_uri` belongs to the verifier its client id names
//! (OpenID4VP 1.0 §5.9.3): the answer must go to the party the holder
//! policy judged, not wherever the request says.

use super::Openid4vpError;
use credence_core::ClientId;
use credence_did::Fetcher;

/// Checks `uri` for `client_id`:
/// - every response URI is https, or http to a loopback host;
/// - `redirect_uri:<URI>`: exactly that URI (the spec's rule);
/// - `decentralized_identifier:did:web:…`: on the origin (scheme, host,
///   port) the did:web names, since that origin is the DID;
/// - another DID: any such URI — the DID's own key signed it, and no
///   origin is the DID's to compare with.
pub(crate) fn check_response_uri(client_id: &str, uri: &str) -> Result<(), Openid4vpError> {
    let refuse = |reason: String| Openid4vpError::ResponseUri {
        uri: uri.to_owned(),
        client_id: client_id.to_owned(),
        reason,
    };
    let parsed = Fetcher::check_url(uri).map_err(|e| refuse(e.to_string()))?;
    match ClientId::parse(client_id) {
        ClientId::RedirectUri(value) if value == uri => Ok(()),
        ClientId::RedirectUri(value) => Err(refuse(format!("it is not {value}"))),
        ClientId::Did(did) if did.starts_with("did:web:") => {
            let document = credence_did::did_web_url(did).map_err(|e| refuse(e.to_string()))?;
            let origin = url::Url::parse(&document)
                .map_err(|e| refuse(e.to_string()))?
                .origin();
            if parsed.origin() == origin {
                Ok(())
            } else {
                Err(refuse(format!(
                    "not on {}, the origin of {did}",
                    origin.ascii_serialization()
                )))
            }
        }
        ClientId::Did(_) => Ok(()),
        ClientId::Other(_) => Err(Openid4vpError::UnsupportedClientId(client_id.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(client_id: &str, uri: &str) -> bool {
        matches!(
            check_response_uri(client_id, uri),
            Err(Openid4vpError::ResponseUri { .. })
        )
    }

    #[test]
    fn redirect_uri_must_be_the_value() {
        let id = "redirect_uri:https://rp.example/cb";
        assert!(check_response_uri(id, "https://rp.example/cb").is_ok());
        assert!(refused(id, "https://rp.example/cb2"));
        assert!(refused(id, "https://evil.example/cb"));
    }

    #[test]
    fn did_web_must_be_its_origin() {
        let id = "decentralized_identifier:did:web:globex.example";
        assert!(check_response_uri(id, "https://globex.example/openid4vp/response").is_ok());
        for bad in [
            "https://evil.example/openid4vp/response",
            "https://globex.example:8443/openid4vp/response",
            "https://api.globex.example/r",
            "https://globex.example.evil.example/r",
            "http://globex.example/r",
        ] {
            assert!(refused(id, bad), "{bad}");
        }
        let local = "decentralized_identifier:did:web:127.0.0.1%3A8080";
        assert!(check_response_uri(local, "http://127.0.0.1:8080/r").is_ok());
        assert!(refused(local, "http://127.0.0.1:8081/r"));
    }

    #[test]
    fn other_dids_any_https_and_unknown_prefixes_refused() {
        let id =
            "decentralized_identifier:did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        assert!(check_response_uri(id, "https://rp.example/r").is_ok());
        assert!(refused(id, "http://rp.example/r"));
        assert!(matches!(
            check_response_uri("x509_san_dns:rp.example", "https://rp.example/r"),
            Err(Openid4vpError::UnsupportedClientId(_))
        ));
    }
}
