//! SD-JWT VCs in a real wallet (sled files in a temp dir): verified
//! import, refusals with their reasons, and presentations that disclose
//! only what the request asks for and the holder policy allows — checked
//! by verifying each presentation as a verifier would.

mod common;

use chrono::{Duration, Utc};
use common::{holder, profile, request, VERIFIER};
use credence_bbs2023::BbsKeyPair;
use credence_core::{agent_sd_jwt_query, ClaimPath, ClaimsQuery, ExpectedValue};
use credence_did::KnownDocuments;
use credence_issuer::Issuer;
use credence_sdjwt::{check_vc, KeyBindingCheck, SdJwt, VerifyOptions, SD_JWT_VC_TYP};
use credence_wallet::{HolderPolicy, ImportError, PresentError, Wallet};
use serde_json::{json, Map, Value};
use ssi::JWK;
use std::sync::Arc;

struct Org {
    issuer: Issuer,
    assertion: JWK,
}

fn new_org() -> Org {
    let assertion = JWK::generate_ed25519().unwrap();
    let issuer = Issuer::web(
        "https://issuer.acme.example",
        BbsKeyPair::generate().unwrap(),
        assertion.clone(),
    )
    .unwrap();
    Org { issuer, assertion }
}

fn trusting(wallet: Wallet, org: &Org) -> Wallet {
    wallet.with_resolver(Arc::new(KnownDocuments::one(
        org.issuer.did_document().unwrap(),
    )))
}

async fn sd_jwt_for(org: &Org, did: &str, capabilities: &[&str], hours: i64) -> String {
    org.issuer
        .issue_agent_sd_jwt(
            did,
            &profile("Acme Corp", capabilities),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(hours),
            None,
        )
        .await
        .unwrap()
}

/// What a verifier sees of `presentation` (issuer key known, KB checked).
fn verified(org: &Org, presentation: &str, nonce: &str) -> Map<String, Value> {
    let sd = SdJwt::parse(presentation).unwrap();
    let now = Utc::now().timestamp();
    let options = VerifyOptions {
        typ: vec![SD_JWT_VC_TYP.into()],
        now,
        max_ahead: 60,
        key_binding: Some(KeyBindingCheck {
            nonce: nonce.into(),
            audience: VERIFIER.into(),
            now,
            max_age: 300,
            max_ahead: 60,
        }),
    };
    check_vc(&sd.verify(&org.assertion.to_public(), &options).unwrap())
        .unwrap()
        .claims
}

#[tokio::test]
async fn an_imported_sd_jwt_vc_is_presented_with_only_what_is_asked_and_allowed() {
    let org = new_org();
    let h = holder();
    let wallet = trusting(h.wallet, &org);
    let text = sd_jwt_for(
        &org,
        wallet.did(),
        &["invoices.read", "orders.create", "admin.all"],
        24,
    )
    .await;
    let imported = wallet.import_sd_jwt(&text).await.unwrap();
    assert!(imported.new);
    assert_eq!(imported.summary.format, "dc+sd-jwt");
    assert!(
        !wallet.import_sd_jwt(&text).await.unwrap().new,
        "the same credential again"
    );

    // Asked for capabilities only: organization stays undisclosed.
    let req = request(agent_sd_jwt_query(&["capabilities"]).credentials, None);
    let presentation = wallet.present_sd_jwt(&req).await.unwrap();
    let claims = verified(&org, &presentation, &req.nonce);
    assert_eq!(
        claims["capabilities"],
        json!(["invoices.read", "orders.create", "admin.all"])
    );
    assert!(!claims.contains_key("organization"), "{claims:?}");

    // The query's values filter the elements.
    let mut query = agent_sd_jwt_query(&["capabilities"]).credentials;
    query[0].claims[0].values = Some(vec![ExpectedValue::Text("orders.create".into())]);
    let req = request(query, None);
    let claims = verified(
        &org,
        &wallet.present_sd_jwt(&req).await.unwrap(),
        &req.nonce,
    );
    assert_eq!(claims["capabilities"], json!(["orders.create"]));

    // The holder policy restricts the elements this verifier may see.
    wallet
        .set_holder_policy(
            &HolderPolicy::default()
                .allow_domain("*.globex.example", &["organization", "capabilities"])
                .only_elements("capabilities", &["invoices.read"]),
        )
        .unwrap();
    let req = request(
        agent_sd_jwt_query(&["organization", "capabilities"]).credentials,
        None,
    );
    let claims = verified(
        &org,
        &wallet.present_sd_jwt(&req).await.unwrap(),
        &req.nonce,
    );
    assert_eq!(claims["capabilities"], json!(["invoices.read"]));
    assert_eq!(claims["organization"], "Acme Corp");
}

#[tokio::test]
async fn refusals() {
    let org = new_org();
    let h = holder();
    let wallet = trusting(h.wallet, &org);
    // Issued to another agent.
    let other = JWK::generate_ed25519().unwrap();
    let other_did = ssi::dids::DIDKey::generate(&other.to_public())
        .unwrap()
        .to_string();
    let theirs = sd_jwt_for(&org, &other_did, &["invoices.read"], 24).await;
    assert!(matches!(
        wallet.import_sd_jwt(&theirs).await,
        Err(ImportError::WrongSubject { .. })
    ));
    // Expired.
    let old = org
        .issuer
        .issue_agent_sd_jwt(
            wallet.did(),
            &profile("Acme Corp", &["a"]),
            Utc::now() - Duration::hours(3),
            Utc::now() - Duration::hours(1),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        wallet.import_sd_jwt(&old).await,
        Err(ImportError::Expired(_))
    ));
    // A forged Disclosure appended.
    let mine = sd_jwt_for(&org, wallet.did(), &["invoices.read"], 24).await;
    let forged = format!("{mine}WyJzYWx0IiwgInJvbGUiLCAiYWRtaW4iXQ~");
    assert!(matches!(
        wallet.import_sd_jwt(&forged).await,
        Err(ImportError::Forged(_))
    ));
    // Signed by an issuer the wallet cannot resolve to that key.
    let stranger = new_org();
    let unknown = sd_jwt_for(&stranger, wallet.did(), &["invoices.read"], 24).await;
    assert!(wallet.import_sd_jwt(&unknown).await.is_err());
    // Nothing stored: no SD-JWT to present.
    let req = request(agent_sd_jwt_query(&["capabilities"]).credentials, None);
    assert!(matches!(
        wallet.present_sd_jwt(&req).await,
        Err(PresentError::NoMatchingCredential)
    ));
    // The holder policy denies a claim.
    wallet.import_sd_jwt(&mine).await.unwrap();
    let mut query = agent_sd_jwt_query(&["capabilities"]).credentials;
    query[0].claims.push(ClaimsQuery {
        id: None,
        path: ClaimPath(vec!["secret".into()]),
        values: None,
    });
    let req = request(query, None);
    assert!(matches!(
        wallet.present_sd_jwt(&req).await,
        Err(PresentError::PolicyDenied { .. })
    ));
}
