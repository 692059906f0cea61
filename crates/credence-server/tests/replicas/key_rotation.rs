//! Token-key rotation across replicas sharing a verifier directory.

use super::*;

/// The JWKS of the replica at `base`.
async fn jwks_at(w: &World, base: &str) -> Value {
    let r = w
        .client
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

fn kid_of(token: &str) -> String {
    credence_core::token_kid(token).unwrap().unwrap()
}

#[tokio::test]
async fn a_rotated_key_reaches_every_replica_and_tokens_of_the_old_key_stay_valid() {
    let Some(r) = replicas().await else { return };
    let w = &r.w;
    let before =
        body_token(&exchange_at(w, &r.urls[1], &presentation_from(w, &r.urls[1]).await).await);
    assert_eq!(
        jwks_at(w, &r.urls[1]).await["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let now = chrono::Utc::now().timestamp();
    let rotation = credence_server::rotate_token_key(&w.dir.path().join("globex"), now, 0).unwrap();
    // B and C reload the shared directory.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    for base in &r.urls[1..] {
        while jwks_at(w, base).await["keys"].as_array().unwrap().len() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "{base} did not reload"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let jwks = jwks_at(w, &r.urls[2]).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(kids.contains(&rotation.kid.as_str()) && kids.contains(&kid_of(&before).as_str()));
    let after =
        body_token(&exchange_at(w, &r.urls[2], &presentation_from(w, &r.urls[1]).await).await);
    assert_eq!(kid_of(&after), rotation.kid, "new tokens carry the new kid");
    assert_ne!(kid_of(&before), rotation.kid);
    // Both verify: at the other replica (introspection) and at a resource
    // server holding the JWKS.
    assert!(active_at(w, &r.urls[1], &before).await);
    assert!(active_at(w, &r.urls[1], &after).await);
    let guard =
        credence_resource::ResourceGuard::new(&w.verifier_url, &w.tool_url, w.verifier_key().await)
            .with_token_keys(credence_resource::keys_from_jwks(&jwks));
    for token in [&before, &after] {
        read_invoices(w, &guard, token).await.unwrap();
    }
    // A guard that only knows the old key names the new one as unknown.
    let stale =
        credence_resource::ResourceGuard::new(&w.verifier_url, &w.tool_url, w.verifier_key().await);
    assert_eq!(
        read_invoices(w, &stale, &after).await.unwrap_err(),
        credence_core::TokenError::UnknownKey(rotation.kid)
    );
}

/// `GET {tool}/invoices` with `token` and a fresh DPoP proof, checked by
/// `guard` for `invoices:read`.
async fn read_invoices(
    w: &World,
    guard: &credence_resource::ResourceGuard,
    token: &str,
) -> Result<(), credence_core::TokenError> {
    let url = format!("{}/invoices", w.tool_url);
    let proof = w.wallet.dpop_proof("GET", &url, token).unwrap();
    let authorization = format!("DPoP {token}");
    let parts = credence_resource::RequestParts {
        authorization: Some(&authorization),
        dpop: Some(&proof),
        method: "GET",
        url: &url,
        body: b"",
    };
    let now = chrono::Utc::now().timestamp();
    guard.check(parts, "invoices:read", now).await.map(|_| ())
}

#[tokio::test]
async fn a_key_set_that_would_sign_with_an_older_key_again_is_refused() {
    let w = world().await;
    let globex = w.dir.path().join("globex");
    let now = chrono::Utc::now().timestamp();
    let rotated = credence_server::rotate_token_key(&globex, now, 0).unwrap();
    let ring = credence_server::load_key_ring(&globex).unwrap();
    let tokens = credence_verify::TokenIssuer::with_keys(&w.verifier, ring);
    let (first, _) = credence_server::verifier_dir::load_or_create(&globex).unwrap();
    let first_kid = first.thumbprint().unwrap().to_string();
    let first_only = credence_verify::KeyRing::single(first);
    assert_eq!(
        tokens.set_keys(first_only),
        Err(credence_verify::KeySetError::OlderSigningKey {
            refused: first_kid,
            signing: rotated.kid,
        }),
        "signing went back to the retired key"
    );
    // A token-keys entry that cannot be read is an error, not "no
    // rotation" (which would bring the first key back).
    let keys = globex.join("token-keys");
    std::fs::remove_dir_all(&keys).unwrap();
    std::fs::write(&keys, b"not a directory").unwrap();
    let err = credence_server::load_key_ring(&globex).unwrap_err();
    assert!(
        matches!(&err, credence_store::StoreError::File { path, .. } if *path == keys),
        "{err}"
    );
}
