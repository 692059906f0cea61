//! A credential on its own, outside any presentation: is it authentic,
//! valid now and acceptable under the policy? No holder binding, nonce or
//! request is involved, so this is not a basis for a token — only a
//! [`crate::VerifiedPresentation`] is.

use crate::checks::credential::verify_credential;
use crate::checks::proofs::ProofEnv;
use crate::checks::status::check_status;
use crate::checks::validity::check_validity;
use crate::verifier::policy_view;
use crate::{VerifiedCredential, Verifier, VerifyError};
use serde_json::Value;

impl Verifier {
    /// Verifies `document` as a credential on its own, in the order of a
    /// presentation's credential checks (docs/verification.md): safe mode,
    /// issuer trust and format, the proof (a bbs-2023 derived proof, with
    /// whatever presentation header it carries — there is no nonce to bind
    /// it to —, or an eddsa-rdfc-2022 / ecdsa-rdfc-2019 proof), trusted
    /// types, validity, status, constraints. Nothing is audited.
    pub async fn verify_credential(
        &self,
        document: &Value,
    ) -> Result<VerifiedCredential, VerifyError> {
        let rt = self.runtime();
        let env = ProofEnv {
            resolver: self.resolver.as_ref(),
            safe: &rt.safe,
            now: self.clock.now(),
        };
        let stated = rt
            .safe
            .statements(document, &rt.context_urls(), &[])
            .await?;
        let proven = verify_credential(document, stated, &rt, env).await?;
        check_validity(&proven.statements, &proven.issuer, env.now)?;
        check_status(&proven.statements, &proven.issuer, &self.status, env).await?;
        policy_view(proven, document, String::new(), &rt).await
    }
}
