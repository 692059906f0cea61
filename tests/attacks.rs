//! Attacks on the rebuilt verifier, from an attacker's review: inputs it
//! accepted (or granted more for, or panicked on, or burnt someone else's
//! nonce with) although it should refuse them. Every test here failed on
//! the commit the review was written against; each now holds. Each test's
//! comment describes the hole as it was found. The same review's attacks on state,
//! tokens, keys and input size are in `attacks_inputs.rs`.

mod common;

use chrono::{Duration, Utc};
use common::chain::{grant, link, present_as, with_principals};
use common::holder::Signer;
use common::*;
use credence::bbs2023::BbsKeyPair;
use credence::did::KnownDocuments;
use credence::issuer::{Issuer, StatusAssignment, StatusRegistry};
use credence::model::ClaimPath;
use credence::verify::{
    BindingError, DelegationError, OfflineDocuments, TrustPolicy, TrustedIssuer, Verifier,
    VerifyError,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

// ---------------------------------------------------------------- helpers

fn trusted_issuer(did: &str, types: &[&str]) -> TrustedIssuer {
    TrustedIssuer {
        require_status: false,
        ..TrustedIssuer::new(did, "org", types)
    }
}

/// A did:web organization with status lists (served offline).
struct Org {
    issuer: Issuer,
    registry: StatusRegistry,
    origin: String,
}

impl Org {
    fn new(host: &str) -> Self {
        let origin = format!("https://{host}");
        let issuer = Issuer::web(
            &origin,
            BbsKeyPair::generate().unwrap(),
            ssi::JWK::generate_ed25519().unwrap(),
        )
        .unwrap();
        Self {
            issuer,
            registry: StatusRegistry::default(),
            origin,
        }
    }

    fn assign(&mut self) -> StatusAssignment {
        StatusAssignment {
            origin: self.origin.clone(),
            index: self.registry.assign().unwrap(),
        }
    }

    /// Its DID document and both signed lists, as a verifier's offline set.
    async fn documents(&self) -> OfflineDocuments {
        let mut lists = HashMap::new();
        for purpose in ["revocation", "suspension"] {
            let list = self
                .registry
                .credential(&self.issuer, purpose, Duration::minutes(60), 30_000)
                .await
                .unwrap();
            lists.insert(format!("{}/status/{purpose}", self.origin), list);
        }
        OfflineDocuments {
            dids: KnownDocuments::one(self.issuer.did_document().unwrap()),
            status_lists: lists,
            ..Default::default()
        }
    }
}

// ------------------------------------------------------- nonce handling

/// The nonce is consumed as soon as *a* holder signature verifies: any
/// stranger who sees the nonce (it travels in the request to the agent)
/// signs a presentation with her own did:key — here wrapping a copy of the
/// agent's own derived credential — and the agent's genuine answer is then
/// refused as a replay. The nonce should be consumed only once the
/// presentation has been accepted (or at least once the credential is
/// bound to the signer), so that nobody but the answering agent burns it.
#[tokio::test]
async fn a_stranger_burns_the_agents_nonce_with_her_own_signature() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let genuine = w.wallet.present(&request).await.unwrap();
    let mallory = Signer::new();
    let burn = mallory
        .present(
            vec![genuine["verifiableCredential"][0].clone()],
            &request.nonce,
            VERIFIER_ID,
            (None, None),
        )
        .await;
    let err = w.verifier.verify_presentation(&burn).await.unwrap_err();
    assert_eq!(err.code(), "holder_mismatch", "{err}");
    let outcome = w.verifier.verify_presentation(&genuine).await;
    assert!(
        outcome.is_ok(),
        "the agent's own answer was refused after a stranger's attempt: {:?}",
        outcome.err()
    );
}

/// `register_request` on a request already answered resets its nonce to
/// unused: the very same presentation is accepted (and minted) again. The
/// doc promises "the nonce becomes single-use like any other".
#[tokio::test]
async fn registering_a_request_again_revives_its_used_nonce() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    // E.g. a replica forwarding requests, or an integrator syncing requests.
    w.verifier.register_request(request.clone()).await.unwrap();
    let again = w.tokens.exchange(&w.verifier, &vp, API).await;
    assert_eq!(
        again.err(),
        Some(VerifyError::Binding(BindingError::Replay)),
        "one presentation minted two tokens"
    );
}

// ----------------------------------------------------------- delegation

/// An organization trusted to sign roots "for principals" signs them for
/// *any* DID: here Initech (a trusted issuer with `signs_for_principals`)
/// roots a chain in the name of Alice — a human the policy lists as a
/// `[[principal]]` who signs her own roots, and who never delegated
/// anything. The token's `sub` (and the audit's principal) is Alice.
#[tokio::test]
async fn an_org_signs_a_root_in_the_name_of_someone_elses_principal() {
    let w = world().await;
    let (alice, initech, orchestrator) = (Signer::new(), Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    let mut policy = with_principals(&w, &[&alice.did]);
    let mut org = trusted_issuer(&initech.did, &["SomeOtherCredential"]);
    org.signs_for_principals = true;
    policy.issuers.push(org);
    w.verifier.set_policy(policy);

    let root = link(
        &initech,
        &grant(&alice.did, &orchestrator.did, &["invoices.read"], 1),
        None,
    )
    .await;
    let leaf = link(
        &orchestrator,
        &grant(&alice.did, &holder, &["invoices.read"], 0),
        Some(&root),
    )
    .await;
    w.wallet.set_delegation_chain(&[root, leaf]).unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    match w.tokens.exchange(&w.verifier, &vp, API).await {
        Ok(token) => panic!(
            "Initech rooted a chain in Alice's name: token sub = {}",
            token.claims.sub
        ),
        Err(e) => assert!(
            matches!(
                e,
                VerifyError::Delegation(DelegationError::PrincipalNotSigner { .. })
            ),
            "{e:?}"
        ),
    }
}

/// With a chain, only `capabilities` are narrowed to what the chain
/// delegates; scopes a rule maps from any other claim are granted in the
/// principal's name although no link delegated them. Alice delegated
/// `invoices.read` only; the token (sub = Alice) also carries
/// `reports:read`, which a rule on `modelName` maps.
#[tokio::test]
async fn a_delegated_token_carries_scopes_no_link_delegated() {
    let w = world().await;
    let (alice, orchestrator) = (Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    let mut policy = with_principals(&w, &[&alice.did]);
    let extra = TrustPolicy::from_toml(&format!(
        r#"
[[issuer]]
did = "{}"
name = "Acme"
credential_types = ["AgentCredential"]
[[rule]]
credential_type = "AgentCredential"
claim = "modelName"
prefix = "claude-"
scope = "reports:read"
audience = "{API}"
"#,
        w.issuer.did()
    ))
    .unwrap();
    policy.rules.extend(extra.rules);
    w.verifier.set_policy(policy);
    let root = link(
        &alice,
        &grant(&alice.did, &orchestrator.did, &["invoices.read"], 1),
        None,
    )
    .await;
    let leaf = link(
        &orchestrator,
        &grant(&alice.did, &holder, &["invoices.read"], 0),
        Some(&root),
    )
    .await;
    w.wallet.set_delegation_chain(&[root, leaf]).unwrap();
    let request = agent_request(&w.verifier, &["capabilities", "modelName"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    assert_eq!(token.claims.sub, alice.did);
    assert!(
        !token.claims.scopes().contains(&"reports:read"),
        "a scope no link delegated, in Alice's name: {}",
        token.claims.scope
    );
}

/// Link status entries are chosen by whoever signs the link — for every
/// link below the root, an agent. The verifier fetches the list URL the
/// agent wrote (plain http to loopback included) before anything tells it
/// the URL belongs to the organization whose lists it must use: a
/// delegated agent points the verifier at any internal URL (SSRF). Here
/// the status issuer is a did:key issuer that publishes no lists at all,
/// yet the verifier connects to the agent's loopback URL.
#[tokio::test]
async fn a_delegated_agent_makes_the_verifier_fetch_a_url_of_its_choice() {
    let w = world().await;
    let (alice, orchestrator) = (Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    w.verifier.set_policy(with_principals(&w, &[&alice.did]));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hit = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = hit.clone();
    tokio::spawn(async move {
        if let Ok((_socket, _)) = listener.accept().await {
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });

    let root = link(
        &alice,
        &grant(&alice.did, &orchestrator.did, &["invoices.read"], 1),
        None,
    )
    .await;
    let mut leaf_grant = grant(&alice.did, &holder, &["invoices.read"], 0);
    leaf_grant.status = Some(json!([{
        "id": format!("http://127.0.0.1:{port}/internal/admin#1"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
        "statusListCredential": format!("http://127.0.0.1:{port}/internal/admin"),
    }]));
    let leaf = link(&orchestrator, &leaf_grant, Some(&root)).await;
    w.wallet.set_delegation_chain(&[root, leaf]).unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let outcome = w.verifier.verify_presentation(&vp).await;
    assert!(outcome.is_err());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !hit.load(std::sync::atomic::Ordering::SeqCst),
        "the verifier connected to the URL an agent chose ({:?})",
        outcome.err()
    );
}

/// A status index is parsed as any `usize`; a link below the root (signed
/// by an agent) with `statusListIndex` = usize::MAX pointing at the
/// organization's real list makes the bit lookup overflow inside ssi
/// (`StatusSize::last_of`): a panic wherever overflow checks are on (every
/// debug/test build), a wrapped offset otherwise. Malformed input must be
/// refused, never panic.
#[tokio::test]
async fn a_huge_status_index_in_a_link_panics_the_verifier() {
    let mut acme = Org::new("acme.example");
    let agent = Signer::new();
    let (alice, orchestrator) = (Signer::new(), Signer::new());
    let assignment = acme.assign();
    let credential = acme
        .issuer
        .issue_agent_credential_with_status(
            &agent.did,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(23),
            Some(&assignment),
        )
        .await
        .unwrap();
    let mut policy = TrustPolicy::from_toml(&format!(
        r#"
[[issuer]]
did = "{}"
name = "Acme"
credential_types = ["AgentCredential"]
[[principal]]
did = "{}"
name = "Alice"
[delegation]
credential_type = "AgentCredential"
claim = "capabilities"
[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{API}"
"#,
        acme.issuer.did(),
        alice.did
    ))
    .unwrap();
    policy.issuers[0].require_status = true;
    let verifier = Verifier::new(VERIFIER_ID, policy).offline(acme.documents().await);

    let root = link(
        &alice,
        &grant(&alice.did, &orchestrator.did, &["invoices.read"], 1),
        None,
    )
    .await;
    let mut leaf_grant = grant(&alice.did, &agent.did, &["invoices.read"], 0);
    let list = format!("{}/status/revocation", acme.origin);
    leaf_grant.status = Some(json!([{
        "id": format!("{list}#max"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": usize::MAX.to_string(),
        "statusListCredential": list,
    }]));
    let leaf = link(&orchestrator, &leaf_grant, Some(&root)).await;

    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&["capabilities"]))
        .await
        .expect("a valid query");
    let pointers = [ClaimPath::subject("capabilities").to_pointer()];
    let loader = credence::model::context_loader();
    let derived =
        credence::bbs2023::derive(&credential, &pointers, request.nonce.as_bytes(), &loader)
            .await
            .unwrap();
    let vp = agent
        .present(
            vec![derived, root, leaf],
            &request.nonce,
            VERIFIER_ID,
            (None, None),
        )
        .await;
    let verifier = Arc::new(verifier);
    let v = verifier.clone();
    let outcome = tokio::spawn(async move { v.verify_presentation(&vp).await }).await;
    match outcome {
        Err(join) => panic!("the verifier panicked: {join}"),
        // An index no list can hold is refused as malformed when read.
        Ok(result) => assert_eq!(
            result.unwrap_err().code(),
            "malformed",
            "an index outside any list must be refused"
        ),
    }
}

// --------------------------------------------------------------- status

/// `require_status` asks for *an* entry, not for the revocation entry. An
/// issuer that lets holders withhold `credentialStatus` (open world: any
/// issuer a policy names) issues both a revocation and a suspension entry;
/// the issuer revokes the credential; the holder discloses only the
/// suspension entry, and the revoked credential is accepted.
#[tokio::test]
async fn a_revoked_credential_passes_by_disclosing_only_its_suspension_entry() {
    let mut acme = Org::new("acme.example");
    let holder = Signer::new();
    let assignment = acme.assign();
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential", "AgentCredential"],
        "issuer": acme.issuer.did(),
        "validFrom": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "validUntil": (Utc::now() + Duration::hours(5)).to_rfc3339(),
        "credentialSubject": profile().to_subject(&holder.did),
        "credentialStatus": assignment.entries(),
    });
    let mandatory = [
        "/issuer",
        "/validFrom",
        "/validUntil",
        "/credentialSubject/id",
    ]
    .map(String::from);
    let credential = acme.issuer.issue_document(&doc, &mandatory).await.unwrap();
    acme.registry
        .set(assignment.index, "revocation", true)
        .unwrap();
    let mut policy = policy_for(acme.issuer.did());
    policy.issuers[0].require_status = true;
    let verifier = Verifier::new(VERIFIER_ID, policy).offline(acme.documents().await);

    // Disclosing both entries: revoked, as it should be.
    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&["capabilities"]))
        .await
        .expect("a valid query");
    let both = present_as(
        &holder,
        &credential,
        &request,
        &["capabilities"],
        &["/credentialStatus"],
        (None, None),
    )
    .await;
    let err = verifier.verify_presentation(&both).await.unwrap_err();
    assert_eq!(err.code(), "revoked", "{err}");

    // Disclosing only the suspension entry (entries()[1]).
    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&["capabilities"]))
        .await
        .expect("a valid query");
    let suspension_only = present_as(
        &holder,
        &credential,
        &request,
        &["capabilities"],
        &["/credentialStatus/1"],
        (None, None),
    )
    .await;
    let outcome = verifier.verify_presentation(&suspension_only).await;
    assert!(
        outcome.is_err(),
        "a revoked credential was accepted with its revocation entry withheld"
    );
}
