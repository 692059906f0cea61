//! Cases for "decide only on what was signed": JSON that makes no signed
//! statement (safe mode), validity and status a holder withheld, a
//! presentation proof's own times, and delegation roots signed in someone
//! else's name or chains that loop.

use crate::cases::{policy, policy_with, reject, Builder, CLAIMS};
use crate::fixtures::{now, Agent, Fixtures, API, VERIFIER};
use chrono::Duration;
use credence::model::AgentProfile;
use serde_json::{json, Value};

type Error = Box<dyn std::error::Error>;

/// An edit of a derived credential.
type Edit = fn(&mut Value);

/// The holder's derived credential for `nonce`, edited by `edit`, in a VP
/// the holder signs (so only the credential's own checks can catch it).
async fn edited(fx: &Fixtures, nonce: &str, edit: impl FnOnce(&mut Value)) -> Result<Value, Error> {
    let mut cred = fx.derive(&fx.credential, &["capabilities"], nonce).await?;
    edit(&mut cred);
    fx.holder
        .present(vec![cred], nonce, VERIFIER, &fx.loader)
        .await
}

pub async fn add(b: &mut Builder, fx: &Fixtures) -> Result<(), Error> {
    let issuer = fx.issuer.did().to_owned();
    let base = policy(&issuer, "");
    let asks = &["capabilities"];

    // Safe mode: the BBS proof still verifies, the JSON says more than it.
    // (A term no context defines is refused too — see tests/signed.rs —
    // but ssi refuses to sign a presentation holding one, so no vector
    // here can carry a valid holder signature over it.)
    let forms: [(&str, &str, Edit); 2] = [
        (
            "unsigned-member-null",
            "a subject member whose value is null (it makes no statement)",
            |c| c["credentialSubject"]["organization"] = Value::Null,
        ),
        (
            "unsigned-member-keyword",
            "a value object in claim position ({\"@value\": null} makes no statement)",
            |c| c["credentialSubject"]["purpose"] = json!({"@value": null}),
        ),
    ];
    for (name, description, edit) in forms {
        let r = fx.request(name, asks);
        let vp = edited(fx, &r.nonce, edit).await?;
        b.add(
            name,
            description,
            r,
            vp,
            base.clone(),
            reject("unsigned_member"),
        );
    }

    let r = fx.request("nested-context", asks);
    let vp = edited(fx, &r.nonce, |c| {
        c["credentialSubject"]["@context"] = json!({"clearance": "https://example.org/clearance"});
        c["credentialSubject"]["clearance"] = json!("top-secret");
    })
    .await?;
    b.add(
        "nested-context",
        "a @context inside the subject defines a claim the issuer never signed",
        r,
        vp,
        base.clone(),
        reject("nested_context"),
    );

    // Validity and status the holder can withhold.
    let r = fx.request("valid-until-missing", CLAIMS);
    let subject = AgentProfile::sample().to_subject(&fx.holder.did);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential", "AgentCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": subject,
    });
    let not_mandatory = ["/issuer", "/validFrom", "/credentialSubject/id"].map(String::from);
    let cred = fx.issuer.issue_document(&doc, &not_mandatory).await?;
    let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
    b.add(
        "valid-until-missing",
        "validUntil was not a mandatory disclosure and the holder withheld it",
        r,
        vp,
        base.clone(),
        reject("valid_until_missing"),
    );

    let r = fx.request("validity-too-long", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    let short = policy_with(
        &issuer,
        "\nrequire_status = false\nmax_validity_days = 30",
        "",
    );
    b.add(
        "validity-too-long",
        "the credential is valid for a year, the policy accepts 30 days",
        r,
        vp,
        short,
        reject("validity_too_long"),
    );

    let r = fx.request("status-missing", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "status-missing",
        "the policy requires a status entry (the default) and the credential has none",
        r,
        vp,
        policy_with(&issuer, "", ""),
        reject("status_missing"),
    );

    // The presentation proof's own times.
    for (name, description, times, reason) in [
        (
            "proof-expired",
            "the presentation proof's own expires has passed",
            (now() - Duration::hours(2), Some(now() - Duration::hours(1))),
            "proof_expired",
        ),
        (
            "proof-not-yet-valid",
            "the presentation proof was created a day after the verifier clock",
            (now() + Duration::days(1), None),
            "proof_not_yet_valid",
        ),
    ] {
        let r = fx.request(name, CLAIMS);
        let cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
        let vp = fx
            .holder
            .present_at(vec![cred], &r.nonce, times, &fx.loader)
            .await?;
        b.add(name, description, r, vp, base.clone(), reject(reason));
    }

    // Delegation roots and loops.
    let with_both = policy(
        &issuer,
        &format!(
            "\n[[principal]]\ndid = \"{}\"\nname = \"Alice\"\n\n[[principal]]\ndid = \"{}\"\nname = \"Mallory\"\n\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n",
            fx.alice.did(),
            fx.mallory.did()
        ),
    );
    let r = fx.request("principal-not-signer", CLAIMS);
    let mallory = Agent::new(5)?; // the key behind fx.mallory
    let root_grant = fx.grant(
        fx.alice.did(),
        &fx.orchestrator.did,
        &["invoices.read"],
        &[API],
        1,
    );
    let root = mallory
        .root(
            &root_grant,
            "urn:uuid:00000000-0000-4000-8000-0000000000a1",
            &fx.loader,
        )
        .await?;
    let leaf = fx.grant(
        fx.alice.did(),
        &fx.holder.did,
        &["invoices.read"],
        &[API],
        0,
    );
    let link = fx
        .orchestrator
        .delegate(
            &leaf,
            &root,
            "urn:uuid:00000000-0000-4000-8000-0000000000a2",
            &fx.loader,
        )
        .await?;
    let vp = fx
        .present(&r, &fx.credential, CLAIMS, &[root, link])
        .await?;
    b.add(
        "principal-not-signer",
        "a trusted principal (Mallory) signs a root link in Alice's name",
        r,
        vp,
        with_both.clone(),
        reject("principal_not_signer"),
    );

    let r = fx.request("delegation-cycle", CLAIMS);
    let root_grant = fx.grant(
        fx.alice.did(),
        &fx.orchestrator.did,
        &["invoices.read"],
        &[API],
        2,
    );
    let root = fx.alice.delegate(&root_grant).await?;
    let again = fx.grant(
        fx.alice.did(),
        &fx.orchestrator.did,
        &["invoices.read"],
        &[API],
        1,
    );
    let middle = fx
        .orchestrator
        .delegate(
            &again,
            &root,
            "urn:uuid:00000000-0000-4000-8000-0000000000b1",
            &fx.loader,
        )
        .await?;
    let leaf = fx.grant(
        fx.alice.did(),
        &fx.holder.did,
        &["invoices.read"],
        &[API],
        0,
    );
    let last = fx
        .orchestrator
        .delegate(
            &leaf,
            &middle,
            "urn:uuid:00000000-0000-4000-8000-0000000000b2",
            &fx.loader,
        )
        .await?;
    let vp = fx
        .present(&r, &fx.credential, CLAIMS, &[root, middle, last])
        .await?;
    b.add(
        "delegation-cycle",
        "the orchestrator delegates to itself before delegating to the holder",
        r,
        vp,
        with_both,
        reject("delegation_cycle"),
    );
    Ok(())
}
