//! The holder: an agent DID resolved without I/O (did:key or did:jwk, so a
//! presentation can never make the verifier fetch a URL before its issuer
//! is trusted), whose `authentication` key signed the presentation.

use super::proofs::{verify_eddsa, ProofEnv};
use crate::parse::UnverifiedPresentation;
use crate::signed::graph::{Statements, CRED};
use crate::{BindingError, ParseError, VerifyError};
use credence_did::{did_of, DidError, LocalResolver, ResolveDid};

/// The verified holder.
pub(crate) struct Holder {
    /// The agent's DID.
    pub did: String,
    /// RFC 7638 thumbprint of the key that signed.
    pub jkt: String,
}

/// Checks the holder stated by the presentation's statements signed it.
pub(crate) async fn verify_holder(
    vp: &UnverifiedPresentation,
    statements: &Statements,
    env: ProofEnv<'_>,
) -> Result<Holder, VerifyError> {
    let node = statements.only_node_of_type(&format!("{CRED}VerifiablePresentation"))?;
    let holder = statements
        .iri(node, &format!("{CRED}holder"))
        .map_err(|_| ParseError::Malformed("holder must be one DID".into()))?;
    if holder != vp.holder {
        return Err(ParseError::Malformed("holder is not stated as received".into()).into());
    }
    if !LocalResolver::supports(&holder) {
        return Err(DidError::failed(&holder, "holders must use did:key or did:jwk").into());
    }
    // A malformed holder DID is a resolution failure, whoever signed.
    LocalResolver.resolve_did(&holder).await?;
    if did_of(&vp.proof.method) != holder {
        return Err(BindingError::HolderMismatch(format!(
            "presentation signed by {}, holder is {holder}",
            did_of(&vp.proof.method)
        ))
        .into());
    }
    let method = verify_eddsa(
        &vp.json,
        &vp.proof,
        &holder,
        "authentication",
        env.with_resolver(&LocalResolver),
    )
    .await?;
    let jkt = method
        .jwk()?
        .thumbprint()
        .map_err(|e| DidError::failed(&holder, e))?;
    Ok(Holder { did: holder, jkt })
}
