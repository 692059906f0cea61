//! The wallet's lifecycle with real issuers, real files: verified import
//! (and its refusals), list filters, show, delete, prune, export/restore,
//! the holder policy's dry run, sub-agents.

mod common;

use chrono::{Duration, Utc};
use common::*;
use credence::issuer::Issuer;
use credence::model::FixedClock;
use credence::wallet::{
    CredentialFilter, HolderPolicy, ImportError, KdfParams, PresentError, Unlock, Wallet,
    WalletError,
};
use std::sync::Arc;

fn unlock() -> Unlock {
    Unlock::passphrase(PASSPHRASE)
}

async fn issue(issuer: &Issuer, wallet: &Wallet, from_h: i64, until_h: i64) -> serde_json::Value {
    issuer
        .issue_agent_credential(
            wallet.did(),
            &profile(),
            Utc::now() + Duration::hours(from_h),
            Utc::now() + Duration::hours(until_h),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn import_refuses_other_subjects_expired_and_forged_credentials() {
    let w = world().await;
    let other = new_wallet(w.dir.path().join("other"));

    // For another agent.
    let theirs = issue(&w.issuer, &other, -1, 1).await;
    let err = w.wallet.import(&theirs).await.unwrap_err();
    assert!(
        matches!(&err, ImportError::WrongSubject { subject, .. } if subject == other.did()),
        "{err}"
    );

    // Expired.
    let old = issue(&w.issuer, &w.wallet, -48, -24).await;
    let err = w.wallet.import(&old).await.unwrap_err();
    assert!(matches!(err, ImportError::Expired(_)), "{err}");

    // Altered after issuance: a claim changed.
    let mut forged = issue(&w.issuer, &w.wallet, -1, 1).await;
    forged["credentialSubject"]["organization"] = "Globex Corp".into();
    let err = w.wallet.import(&forged).await.unwrap_err();
    assert!(matches!(err, ImportError::Forged(_)), "{err}");

    // Signed by a rogue key but claiming Acme as issuer.
    let rogue = Issuer::generate().unwrap();
    let mut impostor = issue(&rogue, &w.wallet, -1, 1).await;
    impostor["issuer"] = w.issuer.did().into();
    let err = w.wallet.import(&impostor).await.unwrap_err();
    assert!(matches!(err, ImportError::Forged(_)), "{err}");

    // An issuer whose DID cannot be resolved here.
    let mut unresolvable = issue(&w.issuer, &w.wallet, -1, 1).await;
    unresolvable["issuer"] = "did:web:acme.example".into();
    unresolvable["proof"]["verificationMethod"] = "did:web:acme.example#key-1".into();
    let err = w.wallet.import(&unresolvable).await.unwrap_err();
    assert!(matches!(err, ImportError::IssuerKey(_)), "{err}");

    // A proof for the wrong purpose, and one of an unsupported suite.
    let mut purpose = issue(&w.issuer, &w.wallet, -1, 1).await;
    purpose["proof"]["proofPurpose"] = "authentication".into();
    assert!(matches!(
        w.wallet.import(&purpose).await,
        Err(ImportError::UnsupportedProof(_))
    ));
    let mut suite = issue(&w.issuer, &w.wallet, -1, 1).await;
    suite["proof"]["cryptosuite"] = "ecdsa-rdfc-2019".into();
    assert!(matches!(
        w.wallet.import(&suite).await,
        Err(ImportError::UnsupportedProof(_))
    ));

    // Not a credential at all.
    assert!(matches!(
        w.wallet.import(&serde_json::json!([1])).await,
        Err(ImportError::Malformed(_))
    ));
    let mut unsigned = issue(&w.issuer, &w.wallet, -1, 1).await;
    unsigned.as_object_mut().unwrap().remove("proof");
    assert!(matches!(
        w.wallet.import(&unsigned).await,
        Err(ImportError::Malformed(_))
    ));

    // None of it was stored: only the world's own credential is there.
    assert_eq!(
        w.wallet.list(&CredentialFilter::default()).unwrap().len(),
        1
    );
}

#[tokio::test]
async fn list_filters_show_delete_and_prune() {
    let w = world().await;
    let globex = Issuer::generate().unwrap();
    let soon = w
        .wallet
        .import(&issue(&w.issuer, &w.wallet, -1, 2).await)
        .await
        .unwrap();
    let other = w
        .wallet
        .import(&issue(&globex, &w.wallet, -1, 48).await)
        .await
        .unwrap();
    assert!(soon.new && other.new);
    // Importing the same credential again changes nothing.
    let (_, first) = w.wallet.credentials().unwrap().remove(0);
    assert!(!w.wallet.import(&first).await.unwrap().new);
    assert_eq!(
        w.wallet.list(&CredentialFilter::default()).unwrap().len(),
        3
    );

    let by_issuer = w
        .wallet
        .list(&CredentialFilter {
            issuer: Some(globex.did().into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_issuer, vec![other.summary.clone()]);
    let by_type = w
        .wallet
        .list(&CredentialFilter {
            credential_type: Some("AgentCredential".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_type.len(), 3);
    let none = w
        .wallet
        .list(&CredentialFilter {
            credential_type: Some("DelegationCredential".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());
    let expiring = w
        .wallet
        .list(&CredentialFilter {
            expiring_before: Some(Utc::now() + Duration::hours(3)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(expiring, vec![soon.summary.clone()]);
    let both = w
        .wallet
        .list(&CredentialFilter {
            issuer: Some(w.issuer.did().into()),
            expiring_before: Some(Utc::now() + Duration::hours(30)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(both.len(), 2);

    let shown = w.wallet.show(&other.summary.id).unwrap();
    assert_eq!(shown["issuer"], globex.did());
    assert!(matches!(
        w.wallet.show("nope"),
        Err(WalletError::NoSuchCredential(_))
    ));

    w.wallet.delete(&other.summary.id).unwrap();
    assert!(matches!(
        w.wallet.show(&other.summary.id),
        Err(WalletError::NoSuchCredential(_))
    ));
    assert!(w
        .wallet
        .list(&CredentialFilter {
            issuer: Some(globex.did().into()),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
    assert!(matches!(
        w.wallet.delete(&other.summary.id),
        Err(WalletError::NoSuchCredential(_))
    ));

    // Three hours on, the two-hour credential has expired and is pruned.
    let path = w.wallet.dir().to_owned();
    drop(w.wallet);
    let later = Wallet::open(&path, &unlock())
        .unwrap()
        .with_clock(Arc::new(FixedClock(Utc::now() + Duration::hours(3))));
    let pruned = later.prune_expired().unwrap();
    assert_eq!(pruned, vec![soon.summary]);
    assert_eq!(later.list(&CredentialFilter::default()).unwrap().len(), 1);
    assert!(later.prune_expired().unwrap().is_empty());
}

#[tokio::test]
async fn export_restores_the_whole_wallet_elsewhere() {
    let w = world().await;
    let child = w
        .wallet
        .create_child("researcher", &unlock(), KdfParams::minimal())
        .unwrap();
    let mut export = Vec::new();
    let summary = w
        .wallet
        .export(
            &mut export,
            &Unlock::passphrase("export secret"),
            KdfParams::minimal(),
        )
        .unwrap();
    assert!(summary.records >= 4, "{summary:?}");
    assert!(
        !String::from_utf8_lossy(&export).contains("Acme"),
        "plaintext in the export"
    );

    // "Another machine": a fresh directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("restored");
    let err = Wallet::restore(&mut export.as_slice(), &target, &unlock()).unwrap_err();
    assert!(
        matches!(
            err,
            WalletError::Store(credence::store::StoreError::WrongSecret)
        ),
        "{err}"
    );
    let (restored, _) = Wallet::restore(
        &mut export.as_slice(),
        &target,
        &Unlock::passphrase("export secret"),
    )
    .unwrap();
    assert_eq!(restored.did(), w.wallet.did());
    assert_eq!(
        restored.credentials().unwrap(),
        w.wallet.credentials().unwrap()
    );
    assert_eq!(
        restored.holder_policy().unwrap(),
        w.wallet.holder_policy().unwrap()
    );
    assert_eq!(restored.children().unwrap()[0].did, child.did);
    // The restored wallet presents and Globex accepts it.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = restored.present(&request).await.unwrap();
    assert!(w.tokens.exchange(&w.verifier, &vp, API).await.is_ok());
}

#[tokio::test]
async fn holder_policy_refuses_over_asking_and_dry_run_signs_nothing() {
    let w = world().await;
    let narrow = HolderPolicy::default()
        .allow_domain("verifier.globex.example", &["organization", "capabilities"]);
    w.wallet.set_holder_policy(&narrow).unwrap();

    let greedy = agent_request(&w.verifier, &["organization", "owner", "runtimeDigest"]).await;
    let err = w.wallet.present(&greedy).await.unwrap_err();
    match &err {
        PresentError::PolicyDenied { verifier, claims } => {
            assert_eq!(verifier, VERIFIER_ID);
            assert_eq!(
                claims,
                &["credentialSubject.owner", "credentialSubject.runtimeDigest"]
            );
        }
        other => panic!("expected PolicyDenied, got {other}"),
    }
    assert!(err.to_string().contains("credentialSubject.owner"));

    let request = agent_request(&w.verifier, &["organization", "capabilities"]).await;
    let plan = w.wallet.plan(&request).unwrap();
    assert_eq!(plan.verifier, VERIFIER_ID);
    let disclosed: Vec<_> = plan.credentials[0]
        .disclosed
        .iter()
        .map(|d| d.claim.as_str())
        .collect();
    assert_eq!(
        disclosed,
        [
            "credentialSubject.organization",
            "credentialSubject.capabilities"
        ]
    );
    assert_eq!(plan.credentials[0].disclosed[0].value, "Acme Corp");
    let always: Vec<_> = plan.credentials[0]
        .always_disclosed
        .iter()
        .map(|d| d.claim.as_str())
        .collect();
    assert_eq!(
        always,
        ["issuer", "validFrom", "validUntil", "credentialSubject.id"]
    );
    for hidden in [
        "owner",
        "purpose",
        "modelName",
        "modelVersion",
        "runtimeDigest",
    ] {
        assert!(
            plan.credentials[0]
                .withheld
                .contains(&format!("credentialSubject.{hidden}")),
            "{hidden}"
        );
    }
    // The dry run signed nothing: its nonce is still unused, so the real
    // presentation for the same request is accepted.
    let vp = w.wallet.present(&request).await.unwrap();
    assert!(w.tokens.exchange(&w.verifier, &vp, API).await.is_ok());

    // A type the wallet holds none of.
    let mut other_type = agent_request(&w.verifier, &["organization"]).await;
    other_type.dcql_query.credentials[0].meta.type_values = vec![vec![
        "https://ns.credence.dev/v1#DelegationCredential".into(),
    ]];
    assert!(matches!(
        w.wallet.plan(&other_type),
        Err(PresentError::NoMatchingCredential)
    ));

    // A policy file that does not parse stops every presentation.
    std::fs::write(
        w.wallet.dir().join("holder-policy.toml"),
        "[[verifier]]\nclaims = 3\n",
    )
    .unwrap();
    assert!(matches!(
        w.wallet.plan(&request),
        Err(PresentError::Wallet(WalletError::Policy(_)))
    ));
    w.wallet.set_holder_policy(&narrow).unwrap();

    // An expired request is refused before anything else.
    let mut stale = agent_request(&w.verifier, &["organization"]).await;
    stale.expires_at = Utc::now().timestamp() - 1;
    assert!(matches!(
        w.wallet.plan(&stale),
        Err(PresentError::RequestExpired(_))
    ));
}

#[tokio::test]
async fn sub_agents_get_their_own_identity_and_store() {
    let w = world().await;
    let a = w
        .wallet
        .create_child("researcher", &unlock(), KdfParams::minimal())
        .unwrap();
    let b = w
        .wallet
        .create_child("writer-2", &unlock(), KdfParams::minimal())
        .unwrap();
    assert_ne!(a.did, b.did);
    assert_ne!(a.did, w.wallet.did());
    assert!(a.dir.starts_with(w.wallet.dir()) && a.dir != b.dir);
    assert!(matches!(
        w.wallet
            .create_child("researcher", &unlock(), KdfParams::minimal()),
        Err(WalletError::ChildExists(_))
    ));
    for bad in ["", "Researcher", "../escape", "a/b", &"x".repeat(65)] {
        assert!(matches!(
            w.wallet.create_child(bad, &unlock(), KdfParams::minimal()),
            Err(WalletError::InvalidName(_))
        ));
    }
    let names: Vec<_> = w
        .wallet
        .children()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["researcher", "writer-2"]);
    // The child is a wallet of its own: it opens, and credentials issued to
    // it import there and nowhere else.
    let child = Wallet::open(&a.dir, &unlock()).unwrap();
    assert_eq!(child.did(), a.did);
    let credential = issue(&w.issuer, &child, -1, 1).await;
    child.import(&credential).await.unwrap();
    assert!(matches!(
        w.wallet.import(&credential).await,
        Err(ImportError::WrongSubject { .. })
    ));
}
