//! Class 3: delegation roots. A root link is signed by the principal it
//! names (a human delegating in their own name) or by an organization the
//! policy trusts to sign for principals; nobody roots a chain in someone
//! else's name, and no DID appears twice along a chain.

mod common;

use common::chain::{self, link, with_principals};
use common::holder::Signer;
use common::*;
use credence::model::{delegation_document, DelegationGrant};
use credence::verify::{DelegationError, VerifyError};
use serde_json::Value;

fn grant(principal: &str, delegate: &str, depth: u32) -> DelegationGrant {
    chain::grant(principal, delegate, &["invoices.read"], depth)
}

/// Presents the world's credential with `chain`; returns the refusal.
async fn refused_with(w: &World, chain: &[Value]) -> VerifyError {
    w.wallet.set_delegation_chain(chain).unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    w.verifier.verify_presentation(&vp).await.unwrap_err()
}

#[tokio::test]
async fn nobody_roots_a_chain_in_someone_elses_name() {
    let w = world().await;
    let (alice, mallory, orchestrator) = (Signer::new(), Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    // Mallory, a trusted principal herself, signs a root naming Alice.
    let root = link(&mallory, &grant(&alice.did, &orchestrator.did, 1), None).await;
    let leaf = link(&orchestrator, &grant(&alice.did, &holder, 0), Some(&root)).await;
    w.verifier
        .set_policy(with_principals(&w, &[&alice.did, &mallory.did]));
    let err = refused_with(&w, &[root.clone(), leaf.clone()]).await;
    assert!(
        matches!(&err, VerifyError::Delegation(DelegationError::PrincipalNotSigner { principal, signer })
            if *principal == alice.did && *signer == mallory.did),
        "{err:?}"
    );
    // Mallory untrusted: refused as an untrusted root, before anything else.
    w.verifier.set_policy(with_principals(&w, &[&alice.did]));
    let err = refused_with(&w, &[root, leaf]).await;
    assert!(
        matches!(&err, VerifyError::Delegation(DelegationError::UntrustedPrincipal(d)) if *d == mallory.did),
        "{err:?}"
    );
    // Alice's own root is accepted, and the token speaks for her.
    let root = link(&alice, &grant(&alice.did, &orchestrator.did, 1), None).await;
    let leaf = link(&orchestrator, &grant(&alice.did, &holder, 0), Some(&root)).await;
    w.wallet.set_delegation_chain(&[root, leaf]).unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    assert_eq!(token.claims.sub, alice.did);
}

#[tokio::test]
async fn self_delegation_and_cycles_are_refused() {
    let w = world().await;
    let (alice, a, b) = (Signer::new(), Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    w.verifier.set_policy(with_principals(&w, &[&alice.did]));

    // a delegates to itself.
    let root = link(&alice, &grant(&alice.did, &a.did, 3), None).await;
    let again = link(&a, &grant(&alice.did, &a.did, 2), Some(&root)).await;
    let leaf = link(&a, &grant(&alice.did, &holder, 0), Some(&again)).await;
    let err = refused_with(&w, &[root.clone(), again, leaf]).await;
    assert!(
        matches!(&err, VerifyError::Delegation(DelegationError::Cycle(d)) if *d == a.did),
        "{err:?}"
    );

    // a → b → a → holder.
    let to_b = link(&a, &grant(&alice.did, &b.did, 2), Some(&root)).await;
    let back = link(&b, &grant(&alice.did, &a.did, 1), Some(&to_b)).await;
    let leaf = link(&a, &grant(&alice.did, &holder, 0), Some(&back)).await;
    let err = refused_with(&w, &[root.clone(), to_b, back, leaf]).await;
    assert!(
        matches!(&err, VerifyError::Delegation(DelegationError::Cycle(d)) if *d == a.did),
        "{err:?}"
    );

    // The chain hands authority back to the principal.
    let to_alice = link(&a, &grant(&alice.did, &alice.did, 1), Some(&root)).await;
    let leaf = link(&alice, &grant(&alice.did, &holder, 0), Some(&to_alice)).await;
    let err = refused_with(&w, &[root, to_alice, leaf]).await;
    assert!(
        matches!(&err, VerifyError::Delegation(DelegationError::Cycle(d)) if *d == alice.did),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_link_field_in_another_form_than_signed_is_refused() {
    let w = world().await;
    let (alice, a) = (Signer::new(), Signer::new());
    let holder = w.wallet.did().to_owned();
    w.verifier.set_policy(with_principals(&w, &[&alice.did]));
    // The root's principal as a node object (the same statement in another
    // form), re-signed by the principal.
    let mut doc = delegation_document(
        "urn:uuid:root",
        &alice.did,
        &grant(&alice.did, &a.did, 1),
        None,
    );
    doc["credentialSubject"]["principal"] = serde_json::json!({"id": alice.did});
    let root = alice.sign_link(doc).await;
    let leaf = link(&a, &grant(&alice.did, &holder, 0), Some(&root)).await;
    let err = refused_with(&w, &[root, leaf]).await;
    assert_eq!(err.code(), "unsigned_member", "{err}");
}
