//! The verifier on SD-JWT VC presentations: an honest one verifies to the
//! same facts as a Data Integrity one; every verifier-level refusal
//! (trust, format, vct, key, request binding, holder, replay, status) is
//! fed its bad input and checked for its typed error. did:key issuer and
//! holder, status list tokens supplied offline.

use credence_core::{agent_sd_jwt_query, AGENT_CREDENTIAL_VCT};
use credence_did::KnownDocuments;
use credence_sdjwt::present::{bind, select};
use credence_sdjwt::status_list::{status_list_token, StatusList, StatusReference};
use credence_sdjwt::{issue, SdJwt, Signer, Step, SD_JWT_VC_TYP};
use credence_verify::{
    BindingError, OfflineDocuments, StatusError, TrustError, TrustPolicy, TrustedIssuer, Verifier,
    VerifyError,
};
use serde_json::{json, Map, Value};
use ssi::dids::DIDKey;
use ssi::JWK;
use std::collections::HashMap;

const VERIFIER: &str = "https://verifier.globex.example";
const STATUS_URI: &str = "https://issuer.acme.example/status/1";

struct Party {
    key: JWK,
    did: String,
    kid: String,
}

fn party(key: JWK) -> Party {
    let did = DIDKey::generate(&key.to_public()).expect("did").to_string();
    let kid = DIDKey::generate_url(&key.to_public())
        .expect("url")
        .to_string();
    Party { key, did, kid }
}

fn ed25519() -> Party {
    party(JWK::generate_ed25519().expect("key"))
}

struct Setup {
    issuer: Party,
    agent: Party,
    status: StatusList,
}

impl Setup {
    fn new() -> Self {
        Self {
            issuer: ed25519(),
            agent: ed25519(),
            status: StatusList::new(2, 64).expect("list"),
        }
    }

    fn claims(&self, vct: &str) -> Map<String, Value> {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "iss": self.issuer.did, "vct": vct, "sub": self.agent.did,
            "iat": now - 60, "nbf": now - 60, "exp": now + 86_400,
            "cnf": {"jwk": self.agent.key.to_public()},
            "status": StatusReference { index: 5, uri: STATUS_URI.into() }.to_claim(),
            "organization": "Acme Corp",
            "capabilities": ["invoices.read", "orders.create"],
        });
        claims.as_object().cloned().expect("object")
    }

    fn issue_with(
        &self,
        claims: &Map<String, Value>,
        signer_kid: &str,
    ) -> (SdJwt, Map<String, Value>) {
        let signer = Signer {
            key: &self.issuer.key,
            kid: Some(signer_kid),
            typ: SD_JWT_VC_TYP,
        };
        let issued = issue(claims, &credence_sdjwt::vc::disclosable, 2, &signer).expect("issues");
        let (_, payload) = ssi::claims::jws::decode_unverified(&issued.issuer_jwt).expect("jws");
        (issued, serde_json::from_slice(&payload).expect("claims"))
    }

    /// A presentation of `capabilities` for `nonce` and `aud`.
    fn present(&self, issued: &(SdJwt, Map<String, Value>), nonce: &str, aud: &str) -> String {
        let wanted = |p: &[Step]| matches!(p.first(), Some(Step::Key(k)) if k == "capabilities" || k == "organization");
        let selected = select(&issued.0, &issued.1, &wanted).expect("selects");
        let now = chrono::Utc::now().timestamp();
        bind(selected, &self.agent.key, nonce, aud, now)
            .expect("binds")
            .to_compact()
    }

    fn verifier(&self, entry: impl FnOnce(&mut TrustedIssuer)) -> Verifier {
        let mut trusted = TrustedIssuer::new(&self.issuer.did, "Acme", &["AgentCredential"]);
        trusted.formats.push("dc+sd-jwt".into());
        entry(&mut trusted);
        let policy = TrustPolicy {
            issuers: vec![trusted],
            ..Default::default()
        };
        let now = chrono::Utc::now().timestamp();
        let token = status_list_token(
            &self.status,
            STATUS_URI,
            now,
            3600,
            &self.issuer.key,
            Some(&self.issuer.kid),
        )
        .expect("status token");
        let documents = OfflineDocuments {
            dids: KnownDocuments::default(),
            status_lists: HashMap::new(),
            status_list_tokens: HashMap::from([(STATUS_URI.to_owned(), token)]),
        };
        Verifier::new(VERIFIER, policy).offline(documents)
    }
}

async fn nonce_of(verifier: &Verifier) -> String {
    verifier
        .create_request_for(agent_sd_jwt_query(&["capabilities"]))
        .await
        .expect("request")
        .nonce
}

#[tokio::test]
async fn an_honest_sd_jwt_presentation_verifies_to_the_agents_facts() {
    let s = Setup::new();
    let verifier = s.verifier(|_| {});
    let nonce = nonce_of(&verifier).await;
    let issued = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &s.issuer.kid);
    let verified = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce, VERIFIER))
        .await
        .expect("verifies");
    assert_eq!(verified.holder(), s.agent.did);
    assert_eq!(
        verified.holder_jkt(),
        s.agent.key.thumbprint().expect("jkt")
    );
    let credential = &verified.credentials()[0];
    assert_eq!(credential.issuer(), s.issuer.did);
    assert!(credential.policy_types().contains("AgentCredential"));
    assert_eq!(credential.query(), "agent");
    assert_eq!(
        credential.disclosed()["capabilities"],
        json!(["invoices.read", "orders.create"])
    );
    // The same presentation again: the nonce is used up.
    let again = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce, VERIFIER))
        .await;
    assert!(
        matches!(again, Err(VerifyError::Binding(BindingError::Replay))),
        "{again:?}"
    );
}

#[tokio::test]
async fn es256_issuer_and_holder_verify_too() {
    let p256 = || party(JWK::generate_p256());
    let s = Setup {
        issuer: p256(),
        agent: p256(),
        status: StatusList::new(2, 64).expect("list"),
    };
    let verifier = s.verifier(|_| {});
    let issued = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &s.issuer.kid);
    let header =
        credence_sdjwt::jws::header_of(&issued.0.issuer_jwt, &[SD_JWT_VC_TYP]).expect("header");
    assert_eq!(header.algorithm, ssi::jwk::Algorithm::ES256);
    let verified = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await
        .expect("verifies");
    assert_eq!(verified.holder(), s.agent.did);
}

#[tokio::test]
async fn trust_refusals() {
    let s = Setup::new();
    let issued = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &s.issuer.kid);
    // The issuer is not trusted for SD-JWT VCs (formats without dc+sd-jwt).
    let verifier = s.verifier(|t| t.formats.retain(|f| f != "dc+sd-jwt"));
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Trust(TrustError::FormatNotAllowed { .. }))
        ),
        "{got:?}"
    );
    // Another issuer.
    let verifier =
        s.verifier(|t| t.did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into());
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Trust(TrustError::UntrustedIssuer { .. }))
        ),
        "{got:?}"
    );
    // An untrusted vct.
    let verifier = s.verifier(|_| {});
    let other = s.issue_with(&s.claims("https://vocab.example/Other"), &s.issuer.kid);
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&other, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(&got, Err(VerifyError::Trust(TrustError::UntrustedIssuer { credential_type, .. })) if credential_type == "https://vocab.example/Other"),
        "{got:?}"
    );
    // Signed by a key of another DID (kid names it): not the issuer's key.
    let mallory = ed25519();
    let forged = Setup {
        issuer: Party {
            key: mallory.key.clone(),
            did: s.issuer.did.clone(),
            kid: mallory.kid.clone(),
        },
        ..Setup::new()
    };
    let mut claims = s.claims(AGENT_CREDENTIAL_VCT);
    claims.insert("cnf".into(), json!({"jwk": forged.agent.key.to_public()}));
    claims.insert("sub".into(), json!(forged.agent.did));
    let bad = forged.issue_with(&claims, &mallory.kid);
    let got = verifier
        .verify_sd_jwt_presentation(&forged.present(&bad, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(matches!(got, Err(VerifyError::BadProof { .. })), "{got:?}");
    // A kid that is a relative reference but not a fragment names no key.
    let relative = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), "key-1");
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&relative, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(matches!(got, Err(VerifyError::BadProof { .. })), "{got:?}");
    // A fragment-only kid is the issuer's own method.
    let fragment = s
        .issuer
        .kid
        .rsplit_once('#')
        .map(|(_, f)| format!("#{f}"))
        .unwrap_or_default();
    let ok = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &fragment);
    verifier
        .verify_sd_jwt_presentation(&s.present(&ok, &nonce_of(&verifier).await, VERIFIER))
        .await
        .expect("a fragment-only kid verifies");
    // The issuer's kid, but another key signed.
    let bad = forged.issue_with(&claims, &s.issuer.kid);
    let got = verifier
        .verify_sd_jwt_presentation(&forged.present(&bad, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(matches!(got, Err(VerifyError::BadProof { .. })), "{got:?}");
}

#[tokio::test]
async fn binding_refusals() {
    let s = Setup::new();
    let verifier = s.verifier(|_| {});
    let issued = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &s.issuer.kid);
    // A nonce this verifier never issued.
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, "made-up", VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Binding(BindingError::NonceMismatch(_)))
        ),
        "{got:?}"
    );
    // Made for another verifier.
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(
            &issued,
            &nonce_of(&verifier).await,
            "https://other.example",
        ))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Binding(BindingError::DomainMismatch { .. }))
        ),
        "{got:?}"
    );
    // No KB-JWT.
    let mut no_kb =
        SdJwt::parse(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER)).expect("parses");
    no_kb.key_binding = None;
    let got = verifier
        .verify_sd_jwt_presentation(&no_kb.to_compact())
        .await;
    assert_eq!(
        got.map(|_| ()).map_err(|e| e.code()),
        Err("sd_jwt_key_binding_missing")
    );
    // cnf is not the subject's key: the subject DID is someone else's.
    let mut claims = s.claims(AGENT_CREDENTIAL_VCT);
    claims.insert("sub".into(), json!(ed25519().did));
    let other = s.issue_with(&claims, &s.issuer.kid);
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&other, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Binding(BindingError::HolderMismatch(_)))
        ),
        "{got:?}"
    );
    // The request asks for a claim not disclosed.
    let nonce = verifier
        .create_request_for(agent_sd_jwt_query(&["department"]))
        .await
        .expect("request")
        .nonce;
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce, VERIFIER))
        .await;
    assert_eq!(got.map(|_| ()).map_err(|e| e.code()), Err("missing_claim"));
}

#[tokio::test]
async fn status_refusals() {
    let mut s = Setup::new();
    let issued = s.issue_with(&s.claims(AGENT_CREDENTIAL_VCT), &s.issuer.kid);
    s.status.set(5, 1).expect("revokes");
    let verifier = s.verifier(|_| {});
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Status(StatusError::Revoked { index: 5 }))
        ),
        "{got:?}"
    );
    s.status.set(5, 2).expect("suspends");
    let verifier = s.verifier(|_| {});
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Status(StatusError::Suspended { index: 5 }))
        ),
        "{got:?}"
    );
    // A status list token signed by another key.
    s.status.set(5, 0).expect("valid");
    let mallory = ed25519();
    let mut verifier = s.verifier(|_| {});
    let now = chrono::Utc::now().timestamp();
    let forged = status_list_token(
        &s.status,
        STATUS_URI,
        now,
        3600,
        &mallory.key,
        Some(&s.issuer.kid),
    )
    .expect("signs");
    verifier = verifier.offline(OfflineDocuments {
        status_list_tokens: HashMap::from([(STATUS_URI.to_owned(), forged)]),
        ..Default::default()
    });
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Status(StatusError::ListInvalid { .. }))
        ),
        "{got:?}"
    );
    // No status, which the policy requires by default.
    let mut claims = s.claims(AGENT_CREDENTIAL_VCT);
    claims.remove("status");
    let unlisted = s.issue_with(&claims, &s.issuer.kid);
    let verifier = s.verifier(|_| {});
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&unlisted, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(got, Err(VerifyError::Status(StatusError::Missing(_)))),
        "{got:?}"
    );
    // Unavailable list: fail closed.
    let verifier = s.verifier(|_| {}).offline(OfflineDocuments::default());
    let got = verifier
        .verify_sd_jwt_presentation(&s.present(&issued, &nonce_of(&verifier).await, VERIFIER))
        .await;
    assert!(
        matches!(
            got,
            Err(VerifyError::Status(StatusError::Unavailable { .. }))
        ),
        "{got:?}"
    );
}
