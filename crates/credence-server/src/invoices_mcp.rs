//! Globex's invoices MCP server, as an organization would protect an
//! existing rmcp server: rmcp's `StreamableHttpService` wrapped in
//! [`credence_resource::mcp::McpProtection`]'s layer, its RFC 9728
//! metadata beside it. Tools: `list_invoices` (`invoices:read`) and
//! `pay_invoice` (`invoices:write`); each reads the verified caller. Used by
//! the `two_org_mcp` demo and the tests.

use axum::http::request::Parts;
use axum::Router;
use credence_resource::mcp::{Layer, McpProtection, VerifiedCaller};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler};
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The path the MCP endpoint is served at.
pub const INVOICES_MCP_PATH: &str = "/mcp";

/// The tool that reads invoices, and its scope.
pub const LIST_INVOICES: (&str, &str) = ("list_invoices", "invoices:read");
/// The tool that pays one, and its scope.
pub const PAY_INVOICE: (&str, &str) = ("pay_invoice", "invoices:write");

/// `pay_invoice`'s arguments.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct PayInvoice {
    /// The invoice to pay (`INV-1001`).
    pub invoice_id: String,
}

/// The invoices MCP server (one per session; the paid list is shared).
#[derive(Clone)]
pub struct InvoicesMcp {
    tool_router: ToolRouter<Self>,
    paid: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for InvoicesMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvoicesMcp").finish_non_exhaustive()
    }
}

fn caller(parts: &Parts) -> Result<&VerifiedCaller, ErrorData> {
    // The layer puts it there before rmcp sees the request; without it the
    // server was mounted unprotected, and nothing is answered.
    VerifiedCaller::from_parts(parts).ok_or_else(|| {
        ErrorData::internal_error("no verified caller: mount behind McpProtection", None)
    })
}

#[tool_router]
impl InvoicesMcp {
    /// A server sharing `paid` with the other sessions.
    pub fn new(paid: Arc<Mutex<Vec<String>>>) -> Self {
        Self {
            tool_router: Self::tool_router(),
            paid,
        }
    }

    #[tool(description = "List Globex's open invoices for the calling organization.")]
    async fn list_invoices(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let caller = caller(&parts)?;
        let paid = self.paid.lock().map(|p| p.clone()).unwrap_or_default();
        let invoices: Vec<_> = [("INV-1001", 1200), ("INV-1002", 560)]
            .into_iter()
            .filter(|(id, _)| !paid.iter().any(|p| p == id))
            .map(|(id, amount)| json!({"id": id, "amount_eur": amount}))
            .collect();
        let body = json!({
            "invoices": invoices,
            "caller": caller.claims.sub,
            "chain": caller.chain(),
        });
        Ok(CallToolResult::success(vec![ContentBlock::text(
            body.to_string(),
        )]))
    }

    #[tool(description = "Pay one of Globex's invoices.")]
    async fn pay_invoice(
        &self,
        Parameters(PayInvoice { invoice_id }): Parameters<PayInvoice>,
        Extension(parts): Extension<Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let caller = caller(&parts)?;
        if let Ok(mut paid) = self.paid.lock() {
            paid.push(invoice_id.clone());
        }
        let body = json!({"paid": invoice_id, "by": caller.claims.sub});
        Ok(CallToolResult::success(vec![ContentBlock::text(
            body.to_string(),
        )]))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for InvoicesMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "globex-invoices",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Globex invoices. Tokens: DPoP-bound, from Globex's Credence token service.",
            )
    }
}

/// The protection the demo and tests use: `list_invoices` needs
/// `invoices:read`, `pay_invoice` `invoices:write`.
pub fn invoices_protection(
    resource: &str,
    authorization_server: &str,
    token_key: ssi::JWK,
) -> McpProtection {
    McpProtection::new(resource, authorization_server, token_key)
        .tool_scope(LIST_INVOICES.0, LIST_INVOICES.1)
        .tool_scope(PAY_INVOICE.0, PAY_INVOICE.1)
        .resource_name("Globex invoices (MCP)")
}

/// The MCP endpoint at [`INVOICES_MCP_PATH`] behind `protection`, and
/// the RFC 9728 metadata.
pub fn invoices_mcp_router(protection: &McpProtection, paid: Arc<Mutex<Vec<String>>>) -> Router {
    let service = StreamableHttpService::new(
        move || Ok(InvoicesMcp::new(paid.clone())),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    Router::new()
        .route_service(INVOICES_MCP_PATH, protection.layer().layer(service))
        .merge(protection.metadata_router())
}

/// Serves [`invoices_mcp_router`] on `listener` until `shutdown` resolves.
pub async fn serve_invoices_mcp(
    listener: tokio::net::TcpListener,
    protection: McpProtection,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = invoices_mcp_router(&protection, Arc::default());
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
