//! Containing sled's panics at the store boundary.
//!
//! sled 0.34 checks a CRC32 per log message, but a message that is damaged
//! *and* carries a valid checksum (a deliberate edit, or damage the CRC
//! misses) reaches its decoders, which index and unwrap freely: reading it
//! panics (`serialization.rs`, `IVec::deserialize`, among others). Every
//! call into sled that may read stored bytes runs through [`contain`],
//! which turns such a panic into [`StoreError::Damaged`].
//!
//! So that a contained panic does not also print a "thread panicked"
//! message, the first use installs a panic hook that stays silent — and
//! keeps the message for the error — while the current thread is inside
//! [`contain`], and hands every other panic to the hook that was installed
//! before it. An application that installs its own hook later replaces
//! this one; panics are then still contained, only printed as well.

use crate::StoreError;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if INSIDE.with(Cell::get) {
                let what = payload_text(info.payload());
                let text = match info.location() {
                    Some(at) => {
                        let file = at.file().rsplit('/').next().unwrap_or(at.file());
                        format!("{what} ({file}:{})", at.line())
                    }
                    None => what,
                };
                MESSAGE.with(|m| *m.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs `f`, which calls into sled on the database in `path`, turning a
/// panic inside it into [`StoreError::Damaged`] naming `what` was being
/// done. The caller must not use the sled handle again after such an
/// error (it may hold half-updated state): [`crate::Store`] marks itself
/// damaged and refuses further calls.
pub(crate) fn contain<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    install_hook();
    let outer = INSIDE.with(|i| i.replace(true));
    // Unwind safety: after a panic the handle `f` used is abandoned (see
    // above), so no broken invariant of it is observed.
    let outcome = catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|i| i.set(outer));
    outcome.map_err(|payload| {
        let detail = MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| payload_text(payload.as_ref()));
        StoreError::Damaged {
            path: path.to_owned(),
            detail: format!("sled failed while {what}: {detail}"),
        }
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_damaged_error_and_other_results_pass_through() {
        let path = Path::new("/nowhere");
        let out: Result<u8, _> = contain(path, "reading", || {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            Ok(v[i])
        });
        match out {
            Err(StoreError::Damaged { detail, .. }) => {
                assert!(detail.contains("while reading"), "{detail}");
                assert!(detail.contains("index out of bounds"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(contain(path, "x", || Ok(7)).unwrap(), 7);
        assert!(matches!(
            contain::<()>(path, "x", || Err(StoreError::WrongSecret)),
            Err(StoreError::WrongSecret)
        ));
        assert!(!INSIDE.with(Cell::get), "the flag is reset afterwards");
    }
}
