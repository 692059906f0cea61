//! The whole cross-organization flow with real sled directories and real
//! cryptography: the happy path and what the presentation discloses.

mod common;

use common::*;
use credence::resource::{validate_access_token, TokenError};
use credence::wallet::{ImportError, Unlock, Wallet};

#[tokio::test]
async fn agent_gets_a_scoped_token_disclosing_only_what_was_asked() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["organization", "capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();

    // Only the requested claims (and the mandatory id) are disclosed.
    let subject = &vp["verifiableCredential"][0]["credentialSubject"];
    assert_eq!(subject["organization"], "Acme Corp");
    assert_eq!(subject["id"], w.wallet.did());
    for hidden in [
        "owner",
        "purpose",
        "modelName",
        "modelVersion",
        "runtimeDigest",
    ] {
        assert!(subject.get(hidden).is_none(), "{hidden} leaked");
        assert!(
            !vp.to_string().contains(hidden),
            "{hidden} appears in the presentation"
        );
    }
    assert!(!vp.to_string().contains("alice@acme.example"));
    assert_eq!(vp["proof"]["challenge"], request.nonce.as_str());
    assert_eq!(vp["proof"]["domain"], VERIFIER_ID);

    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    assert_eq!(token.claims.scope, "invoices:read");
    assert_eq!(token.claims.sub, w.wallet.did());
    assert_eq!(token.claims.client_id, w.wallet.did());
    assert_eq!(token.claims.aud, API);
    assert_eq!(token.claims.iss, VERIFIER_ID);
    assert!(token.claims.exp - token.claims.iat <= 300);
    assert_eq!(
        token.claims.cnf.jkt,
        w.wallet.public_jwk().thumbprint().unwrap()
    );

    // The resource accepts it for reading, not for writing.
    let key = w.tokens.token_key();
    let now = chrono::Utc::now().timestamp();
    let claims =
        validate_access_token(&token.token, &key, VERIFIER_ID, API, "invoices:read", now).unwrap();
    assert_eq!(claims, token.claims);
    assert_eq!(
        validate_access_token(&token.token, &key, VERIFIER_ID, API, "invoices:write", now),
        Err(TokenError::InsufficientScope("invoices:write".into()))
    );
}

#[tokio::test]
async fn wallet_keeps_keys_and_credentials_across_restarts() {
    let w = world().await;
    let did = w.wallet.did().to_owned();
    let stored = w.wallet.credentials().unwrap();
    let path = w.dir.path().join("agent");
    drop(w.wallet);
    let reopened = Wallet::open(&path, &Unlock::passphrase(PASSPHRASE)).unwrap();
    assert_eq!(reopened.did(), did);
    assert_eq!(reopened.credentials().unwrap(), stored);
    // And the reopened wallet can still present.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = reopened.present(&request).await.unwrap();
    assert!(w.tokens.exchange(&w.verifier, &vp, API).await.is_ok());
}

#[tokio::test]
async fn wallet_refuses_credentials_for_another_agent() {
    let w = world().await;
    let other = new_wallet(w.dir.path().join("other"));
    let (_, credential) = w.wallet.credentials().unwrap().remove(0);
    assert!(matches!(
        other.import(&credential).await,
        Err(ImportError::WrongSubject { .. })
    ));
}

#[tokio::test]
async fn agent_credentials_with_many_claims_derive_and_verify() {
    let w = world().await;
    let mut subject = serde_json::Map::new();
    subject.insert("id".into(), w.wallet.did().into());
    for i in 0..24 {
        subject.insert(format!("claim{i}"), format!("value {i}").into());
    }
    let doc = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://acme.example/claims#"}],
        "type": ["VerifiableCredential"],
        "issuer": w.issuer.did(),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    });
    let pointers = vec!["/issuer".to_string(), "/credentialSubject/id".to_string()];
    let signed = w.issuer.issue_document(&doc, &pointers).await.unwrap();
    let loader = credence::model::context_loader();
    let selective: Vec<String> = ["claim1", "claim10", "claim19", "claim23"]
        .iter()
        .map(|c| format!("/credentialSubject/{c}"))
        .collect();
    let derived = credence::bbs2023::derive(&signed, &selective, b"n", &loader)
        .await
        .unwrap();
    assert_eq!(derived["credentialSubject"].as_object().unwrap().len(), 5);
    let verified =
        credence::verify::verify_credential_with(&derived, &loader, &credence::did::LocalResolver)
            .await
            .unwrap();
    assert_eq!(verified.presentation_header, b"n");
}
