//! The holder policy and the query's `values` narrow an SD-JWT VC
//! presentation as they narrow a bbs-2023 one, and where the credential's
//! Disclosures cannot express the narrowing the wallet refuses instead of
//! disclosing more (inputs from an attacker's review of the first version).

mod common;

use chrono::{Duration, Utc};
use common::{holder, profile, request};
use credence_bbs2023::BbsKeyPair;
use credence_core::{agent_sd_jwt_query, ExpectedValue};
use credence_did::KnownDocuments;
use credence_issuer::Issuer;
use credence_sdjwt::{issue, SdJwt, Signer, Step, SD_JWT_VC_TYP};
use credence_wallet::{HolderPolicy, PresentError, Wallet};
use serde_json::{json, Map, Value};
use ssi::JWK;
use std::sync::Arc;

fn org() -> (Issuer, JWK) {
    let assertion = JWK::generate_ed25519().unwrap();
    let issuer = Issuer::web(
        "https://issuer.acme.example",
        BbsKeyPair::generate().unwrap(),
        assertion.clone(),
    )
    .unwrap();
    (issuer, assertion)
}

fn wallet_of(issuer: &Issuer) -> (Wallet, tempfile::TempDir) {
    let h = holder();
    let doc = issuer.did_document().unwrap();
    (
        h.wallet.with_resolver(Arc::new(KnownDocuments::one(doc))),
        h.dir,
    )
}

fn restrict(wallet: &Wallet, claim: &str, elements: &[&str]) {
    let policy = HolderPolicy::default()
        .allow_domain("*.globex.example", &[claim])
        .only_elements(claim, elements);
    wallet.set_holder_policy(&policy).unwrap();
}

#[tokio::test]
async fn a_single_value_must_be_accepted_and_allowed() {
    let (issuer, _) = org();
    let (wallet, _dir) = wallet_of(&issuer);
    let text = issuer
        .issue_agent_sd_jwt(
            wallet.did(),
            &profile("Acme Corp", &["invoices.read"]),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
            None,
        )
        .await
        .unwrap();
    wallet.import_sd_jwt(&text).await.unwrap();
    restrict(&wallet, "organization", &["Globex Partner"]);
    let req = request(agent_sd_jwt_query(&["organization"]).credentials, None);
    let got = wallet.present_sd_jwt(&req).await;
    assert!(
        matches!(got, Err(PresentError::PolicyDenied { .. })),
        "{got:?}"
    );
    restrict(&wallet, "organization", &["Acme Corp"]);
    assert!(wallet.present_sd_jwt(&req).await.is_ok());
    let mut query = agent_sd_jwt_query(&["organization"]).credentials;
    query[0].claims[0].values = Some(vec![ExpectedValue::Text("Globex".into())]);
    let got = wallet.present_sd_jwt(&request(query, None)).await;
    assert!(
        matches!(got, Err(PresentError::ValueNotAccepted(_))),
        "{got:?}"
    );
}

/// An SD-JWT VC to `wallet` with these `capabilities`, disclosable as
/// `rule` says.
async fn custom(
    issuer: &Issuer,
    key: &JWK,
    wallet: &Wallet,
    caps: Value,
    rule: &dyn Fn(&[Step]) -> bool,
) {
    let normal = issuer
        .issue_agent_sd_jwt(
            wallet.did(),
            &profile("Acme Corp", &["x"]),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
            None,
        )
        .await
        .unwrap();
    let (_, payload) =
        ssi::claims::jws::decode_unverified(&SdJwt::parse(&normal).unwrap().issuer_jwt).unwrap();
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    let mut claims = Map::new();
    for k in ["iss", "vct", "sub", "iat", "nbf", "exp", "cnf"] {
        claims.insert(k.into(), payload[k].clone());
    }
    claims.insert("capabilities".into(), caps);
    let kid = format!("{}#status", issuer.did());
    let signer = Signer {
        key,
        kid: Some(&kid),
        typ: SD_JWT_VC_TYP,
    };
    let sd = issue(&claims, rule, 0, &signer).unwrap();
    wallet.import_sd_jwt(&sd.to_compact()).await.unwrap();
}

#[tokio::test]
async fn a_list_that_cannot_be_narrowed_is_refused() {
    let (issuer, key) = org();
    // The whole list is one Disclosure: its elements cannot be withheld.
    let (wallet, _dir) = wallet_of(&issuer);
    let whole = |p: &[Step]| matches!(p, [Step::Key(k)] if k == "capabilities");
    custom(
        &issuer,
        &key,
        &wallet,
        json!(["invoices.read", "admin.all"]),
        &whole,
    )
    .await;
    restrict(&wallet, "capabilities", &["invoices.read"]);
    let req = request(agent_sd_jwt_query(&["capabilities"]).credentials, None);
    let got = wallet.present_sd_jwt(&req).await;
    assert!(
        matches!(got, Err(PresentError::PolicyDenied { .. })),
        "{got:?}"
    );
    // A list of objects has no element values to narrow by.
    let (wallet, _dir) = wallet_of(&issuer);
    let every = |p: &[Step]| !p.is_empty() && matches!(&p[0], Step::Key(k) if k == "capabilities");
    let objects = json!([{"name": "invoices.read"}, {"name": "admin.all"}]);
    custom(&issuer, &key, &wallet, objects, &every).await;
    restrict(&wallet, "capabilities", &["invoices.read"]);
    let got = wallet.present_sd_jwt(&req).await;
    assert!(
        matches!(got, Err(PresentError::ValueNotAccepted(_))),
        "{got:?}"
    );
    // No element accepted: refused, not an empty list that shows its length.
    let (wallet, _dir) = wallet_of(&issuer);
    custom(&issuer, &key, &wallet, json!(["a", "b"]), &every).await;
    restrict(&wallet, "capabilities", &["invoices.read"]);
    let got = wallet.present_sd_jwt(&req).await;
    assert!(
        matches!(got, Err(PresentError::ValueNotAccepted(_))),
        "{got:?}"
    );
}
