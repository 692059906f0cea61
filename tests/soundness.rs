//! Classes 4–6 of "decide only on what was signed": validity and status a
//! holder can withhold, the binding order and single use of nonces, the
//! presentation proof's own times, and the verifier's own tokens offered
//! back to it.

mod common;

use chrono::{Duration, Utc};
use common::holder::{Signer, Times};
use common::*;
use credence::model::{AccessTokenClaims, ACCESS_TOKEN_TYP};
use credence::resource::TokenError;
use credence::verify::{
    BindingError, MintError, StatusError, StepRequest, ValidityError, VerifyError,
};
use serde_json::{json, Value};
use std::sync::Arc;

/// An AgentCredential for `holder`, its validUntil optional to disclose.
async fn credential_without_mandatory_valid_until(w: &World, holder: &str) -> Value {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential", "AgentCredential"],
        "issuer": w.issuer.did(),
        "validFrom": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "validUntil": (Utc::now() + Duration::hours(5)).to_rfc3339(),
        "credentialSubject": profile().to_subject(holder),
    });
    let pointers = ["/issuer", "/validFrom", "/credentialSubject/id"].map(String::from);
    w.issuer.issue_document(&doc, &pointers).await.unwrap()
}

/// The signer's VP of `credential` derived for `claims`, answering a fresh
/// request, with the proof `times`.
async fn signed_by(
    w: &World,
    holder: &Signer,
    credential: &Value,
    claims: &[&str],
    times: Times,
) -> Value {
    let request = agent_request(&w.verifier, claims).await;
    common::chain::present_as(holder, credential, &request, claims, &[], times).await
}

#[tokio::test]
async fn a_withheld_valid_until_is_refused_unless_the_policy_waives_it() {
    let w = world().await;
    let holder = Signer::new();
    let credential = credential_without_mandatory_valid_until(&w, &holder.did).await;
    let vp = signed_by(&w, &holder, &credential, &["capabilities"], (None, None)).await;
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Validity(ValidityError::ValidUntilMissing(_))
        ),
        "{err:?}"
    );

    let mut relaxed = policy_for(w.issuer.did());
    relaxed.issuers[0].require_valid_until = false;
    w.verifier.set_policy(relaxed);
    let vp = signed_by(&w, &holder, &credential, &["capabilities"], (None, None)).await;
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
}

#[tokio::test]
async fn a_missing_status_entry_is_refused_by_default() {
    let w = world().await;
    let mut strict = policy_for(w.issuer.did());
    strict.issuers[0].require_status = true;
    w.verifier.set_policy(strict);
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::Status(StatusError::Missing(_))),
        "{err:?}"
    );
    // The default of a policy that says nothing is to require it.
    let text = format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"A\"\ncredential_types = [\"AgentCredential\"]\n",
        w.issuer.did()
    );
    let parsed = credence::verify::TrustPolicy::from_toml(&text).unwrap();
    assert!(parsed.issuers[0].require_status && parsed.issuers[0].require_valid_until);
}

#[tokio::test]
async fn validity_longer_than_the_policy_allows_is_refused() {
    let w = world().await;
    let holder = Signer::new();
    let long = w
        .issuer
        .issue_agent_credential(
            &holder.did,
            &profile(),
            Utc::now() - Duration::days(1),
            Utc::now() + Duration::days(40),
        )
        .await
        .unwrap();
    let mut policy = policy_for(w.issuer.did());
    policy.issuers[0].max_validity_days = Some(30);
    w.verifier.set_policy(policy);
    let vp = signed_by(&w, &holder, &long, &["capabilities"], (None, None)).await;
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Validity(ValidityError::TooLong { days: 41, max: 30 })
        ),
        "{err:?}"
    );
    // The world's credential (24 hours) fits.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
}

#[tokio::test]
async fn a_presentation_whose_signature_fails_does_not_consume_the_nonce() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    // Signed by a stranger under the holder's name, then unsigned.
    let stranger = Signer::new();
    let mut forged = vp.clone();
    forged["proof"] = stranger
        .present(
            vec![vp["verifiableCredential"][0].clone()],
            &request.nonce,
            VERIFIER_ID,
            (None, None),
        )
        .await["proof"]
        .clone();
    forged["proof"]["verificationMethod"] = vp["proof"]["verificationMethod"].clone();
    let err = w.verifier.verify_presentation(&forged).await.unwrap_err();
    assert_eq!(err.code(), "bad_proof", "{err}");
    let mut unsigned = vp.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        w.verifier
            .verify_presentation(&unsigned)
            .await
            .unwrap_err()
            .code(),
        "malformed"
    );
    // The holder's own presentation still gets through, once.
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
    assert_eq!(
        w.verifier.verify_presentation(&vp).await.unwrap_err(),
        VerifyError::Binding(BindingError::Replay)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_of_one_presentation_yield_one_token() {
    let w = Arc::new(world().await);
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = Arc::new(w.wallet.present(&request).await.unwrap());
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (w, vp) = (w.clone(), vp.clone());
            tokio::spawn(async move { w.tokens.exchange(&w.verifier, &vp, API).await })
        })
        .collect();
    let mut minted = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => minted += 1,
            Err(e) => assert_eq!(e, VerifyError::Binding(BindingError::Replay)),
        }
    }
    assert_eq!(minted, 1);
}

#[tokio::test]
async fn a_presentation_proof_outside_its_own_times_is_refused() {
    let w = world().await;
    let holder = Signer::new();
    let credential = w
        .issuer
        .issue_agent_credential(
            &holder.did,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(5),
        )
        .await
        .unwrap();
    let now = Utc::now();
    for (times, code) in [
        (
            (
                Some(now - Duration::hours(1)),
                Some(now - Duration::minutes(1)),
            ),
            "proof_expired",
        ),
        (
            (Some(now + Duration::minutes(10)), None),
            "proof_not_yet_valid",
        ),
    ] {
        let vp = signed_by(&w, &holder, &credential, &["capabilities"], times).await;
        let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    // Within the clock skew, and expiring later: accepted.
    let times = (
        Some(now + Duration::seconds(20)),
        Some(now + Duration::minutes(5)),
    );
    let vp = signed_by(&w, &holder, &credential, &["capabilities"], times).await;
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
}

/// What a refusal must be.
type Expect = fn(&TokenError) -> bool;

/// A token signed with the service's own key, with `edit` applied.
fn forged(
    w: &World,
    claims: &AccessTokenClaims,
    typ: &str,
    edit: impl FnOnce(&mut AccessTokenClaims),
) -> String {
    let mut claims = claims.clone();
    edit(&mut claims);
    let header = ssi::claims::jws::Header {
        algorithm: ssi::jwk::Algorithm::EdDSA,
        type_: Some(typ.into()),
        ..Default::default()
    };
    ssi::claims::jws::encode_sign_custom_header(
        &serde_json::to_string(&claims).unwrap(),
        &w.token_key,
        &header,
    )
    .unwrap()
}

async fn step_refusal(w: &World, token: &str) -> TokenError {
    let req = StepRequest {
        subject_token: token,
        dpop: None,
        method: "POST",
        url: &format!("{VERIFIER_ID}/token"),
        scope: "invoices:read",
        audience: None,
        step: None,
    };
    match w.tokens.exchange_step(req).await.unwrap_err() {
        VerifyError::Mint(MintError::SubjectToken(e)) => e,
        other => panic!("expected a subject token refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_services_own_tokens_are_checked_like_any_other() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let real = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    assert!(w.tokens.introspect(&real.token).await.unwrap().is_some());
    let now = Utc::now().timestamp();
    let cases: Vec<(&str, String, Expect)> = vec![
        ("typ JWT", forged(&w, &real.claims, "JWT", |_| {}), |e| {
            matches!(e, TokenError::WrongType(_))
        }),
        (
            "iat in the future",
            forged(&w, &real.claims, ACCESS_TOKEN_TYP, |c| {
                c.iat = now + 600;
                c.exp = now + 800;
            }),
            |e| matches!(e, TokenError::InvalidTimes(_)),
        ),
        (
            "lifetime over the cap",
            forged(&w, &real.claims, ACCESS_TOKEN_TYP, |c| c.exp = c.iat + 3600),
            |e| matches!(e, TokenError::InvalidTimes(_)),
        ),
        (
            "another audience",
            forged(&w, &real.claims, ACCESS_TOKEN_TYP, |c| {
                c.aud = "https://payroll.globex.example".into()
            }),
            |e| matches!(e, TokenError::WrongAudience { .. }),
        ),
        (
            "never minted here (another replica, or before a restart)",
            forged(&w, &real.claims, ACCESS_TOKEN_TYP, |c| {
                c.jti = "not-minted".into()
            }),
            |e| *e == TokenError::Inactive,
        ),
    ];
    for (name, token, expected) in cases {
        assert!(
            w.tokens.introspect(&token).await.unwrap().is_none(),
            "{name}: introspected active"
        );
        let e = step_refusal(&w, &token).await;
        assert!(expected(&e), "{name}: {e:?}");
    }
}

/// Class 2: a key signs only for what its DID document grants, as the DID
/// method's spec writes the document (not as ssi generates it).
#[tokio::test]
async fn a_did_jwk_key_for_encryption_cannot_sign_a_presentation() {
    let w = world().await;
    let holder = Signer::did_jwk("enc").await;
    let credential = w
        .issuer
        .issue_agent_credential(
            &holder.did,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(5),
        )
        .await
        .unwrap();
    let vp = signed_by(&w, &holder, &credential, &["capabilities"], (None, None)).await;
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert_eq!(err.code(), "key_not_authorized", "{err}");
    // The same key marked for signatures may.
    let holder = Signer::did_jwk("sig").await;
    let credential = w
        .issuer
        .issue_agent_credential(
            &holder.did,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(5),
        )
        .await
        .unwrap();
    let vp = signed_by(&w, &holder, &credential, &["capabilities"], (None, None)).await;
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
}

#[tokio::test]
async fn a_malformed_issuer_or_holder_did_is_a_resolution_failure() {
    let w = world().await;
    // A trusted issuer whose did:key is truncated: resolving it fails, it
    // is not a bad proof.
    let truncated = &w.issuer.did()[..w.issuer.did().len() - 6];
    let vp = edited_and_resigned(&w, &["capabilities"], |c| {
        let method = c["proof"]["verificationMethod"].as_str().unwrap();
        let fragment = method.split('#').nth(1).unwrap().to_owned();
        c["issuer"] = json!(truncated);
        c["proof"]["verificationMethod"] = json!(format!("{truncated}#{fragment}"));
    })
    .await;
    let mut policy = policy_for(w.issuer.did());
    policy.issuers[0].did = truncated.to_owned();
    w.verifier.set_policy(policy);
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert_eq!(err.code(), "resolution_failed", "{err}");
    // A holder whose did:key has an unknown multicodec.
    w.verifier.set_policy(policy_for(w.issuer.did()));
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let mut vp = w.wallet.present(&request).await.unwrap();
    vp["holder"] = json!("did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7");
    let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
    assert_eq!(err.code(), "resolution_failed", "{err}");
}
