//! How a document is expanded before it becomes RDF quads. The default
//! processes the document's contexts through a loader on every call; a
//! verifier that keeps processed contexts (and checks documents strictly)
//! supplies its own [`Expansion`] instead.

use rdf_types::LexicalQuad;
use serde_json::{Map, Value};
use ssi::json_ld::rdf::RdfQuads;
use ssi::json_ld::{ExpandedDocument, JsonLdProcessor, Loader, RemoteDocument};
use ssi_di_sd_primitives::skolemize::deskolemize_nquads;

/// A JSON-LD expansion of documents that carry their own `@context`.
pub trait Expansion {
    /// The expansion of `document`, or why it has none.
    #[allow(async_fn_in_trait)]
    async fn expand(&self, document: &Map<String, Value>) -> Result<ExpandedDocument, String>;
}

/// JSON-LD 1.1 expansion with its default options through `L` (what
/// JSON-LD to-RDF does): contexts are loaded and processed on every call.
pub struct LoaderExpansion<'a, L>(pub &'a L);

impl<L: Loader> Expansion for LoaderExpansion<'_, L> {
    async fn expand(&self, document: &Map<String, Value>) -> Result<ExpandedDocument, String> {
        let value = json_syntax::Value::from_serde_json(Value::Object(document.clone()));
        RemoteDocument::new(None, None, value)
            .expand_full(
                &mut (),
                self.0,
                ssi::json_ld::Options::default().unordered(),
                (),
            )
            .await
            .map_err(|e| e.to_string())
    }
}

/// The RDF quads of `document` as `expansion` expands it, blank nodes
/// labelled in document order (`urn:bnid:` skolem ids turned back into
/// blank nodes).
pub(crate) async fn quads(
    expansion: &impl Expansion,
    document: &Map<String, Value>,
) -> Result<Vec<LexicalQuad>, String> {
    let mut expanded = expansion.expand(document).await?;
    let mut generator = rdf_types::generator::Blank::new();
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let mut quads = Vec::new();
    for quad in expanded
        .rdf_quads_full(&mut (), &mut generator, None, false)
        .cloned()
    {
        // Not generalized RDF: every predicate is an IRI.
        let quad = quad.map_predicate(|p| p.into_iri());
        let rdf_types::Quad(s, Some(p), o, g) = quad else {
            return Err("a statement whose predicate is not an IRI".into());
        };
        quads.push(rdf_types::Quad(s, p, o, g));
    }
    deskolemize_nquads("bnid", &mut quads);
    Ok(quads)
}
