//! W3C Bitstring Status List v1.0 examples: the published lists decode
//! (multibase-u, GZIP, ≥ 16 KiB) with ssi's codec — the one Credence's
//! status checker uses — and read 0 at every published index; every
//! published entry is well formed and its purpose matches its list; a
//! flipped bit (MSB first) reads 1; the REC's signed credentials and lists
//! are listed: they are signed with a bare DID as verificationMethod,
//! which ssi 0.16 and Credence refuse.

use crate::support::{ensure, files, loader, read_json, verify_with, Report};
use credence::did::{authorized_in, resolve_local, KnownDocuments};
use serde_json::Value;
use ssi::claims::data_integrity::suites::EcdsaRdfc2019;
use ssi::json_ld::ContextLoader;
use ssi::status::bitstring_status_list::{BitString, EncodedList, StatusSize};
use std::path::Path;

const KIND: &str = "W3C Bitstring Status List";
const MIN_BYTES: usize = 16 * 1024;

fn bits_of(list: &Value) -> Result<BitString, String> {
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .ok_or("no encodedList")?;
    let bytes = EncodedList::new(encoded.to_owned())
        .decode(Some(1 << 20))
        .map_err(|e| e.to_string())?;
    ensure(bytes.len() >= MIN_BYTES, || {
        format!("{} bytes, below the 16 KiB minimum", bytes.len())
    })?;
    Ok(BitString::from_bytes(bytes))
}

fn entries(credential: &Value) -> Vec<Value> {
    match &credential["credentialStatus"] {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        one => vec![one.clone()],
    }
}

/// Shape of every entry; for entries on `list` (by URL), purpose match and
/// a 0 at the index.
fn check_entries(credential: &Value, list: &Value, bits: &BitString) -> Result<(), String> {
    let found = entries(credential);
    ensure(!found.is_empty(), || "no credentialStatus".into())?;
    for entry in found {
        let field = |n: &str| {
            entry[n]
                .as_str()
                .ok_or_else(|| format!("entry without {n}"))
        };
        ensure(field("type")? == "BitstringStatusListEntry", || {
            "entry type".into()
        })?;
        let index: usize = field("statusListIndex")?
            .parse()
            .map_err(|_| "statusListIndex is not decimal".to_string())?;
        let purpose = field("statusPurpose")?;
        if purpose == "message" {
            let size = entry["statusSize"].as_u64().unwrap_or(1);
            let messages = entry["statusMessage"].as_array().map_or(0, Vec::len);
            // The extracted example lists 3 of the 4 values of statusSize 2
            // (the spec's `...` lines were dropped): at most 2^size, each
            // status within range.
            ensure(messages as u64 <= 1 << size, || {
                format!("{messages} status messages for statusSize {size}")
            })?;
            for m in entry["statusMessage"].as_array().into_iter().flatten() {
                let status = m["status"].as_str().unwrap_or("");
                let value = u64::from_str_radix(status.trim_start_matches("0x"), 16)
                    .map_err(|_| format!("status {status} is not hex"))?;
                ensure(value < 1 << size, || {
                    format!("status {status} out of range")
                })?;
            }
        }
        if field("statusListCredential")? == list["id"].as_str().unwrap_or("") {
            ensure(
                list["credentialSubject"]["statusPurpose"] == purpose,
                || "the entry's purpose differs from its list's".into(),
            )?;
            ensure(bits.get(StatusSize::DEFAULT, index) == Some(0), || {
                format!("bit {index} is not 0")
            })?;
        }
    }
    Ok(())
}

fn flipped_bit_reads_one(list: &Value) -> Result<(), String> {
    let index = 94567;
    let mut bytes = bits_of(list)?.into_bytes();
    // MSB first: index 0 is the left-most bit of byte 0.
    bytes[index / 8] |= 0x80 >> (index % 8);
    let reencoded = BitString::from_bytes(bytes).encode();
    let bits = BitString::from_bytes(reencoded.decode(None).map_err(|e| e.to_string())?);
    ensure(
        [index - 1, index, index + 1].map(|i| bits.get(StatusSize::DEFAULT, i))
            == [Some(0), Some(1), Some(0)],
        || "the flipped bit does not read 1 alone".into(),
    )
}

async fn signed(doc: &Value, loader: &ContextLoader) -> Result<(), String> {
    let method = doc["proof"]["verificationMethod"].as_str().unwrap_or("");
    let did = method.split('#').next().unwrap_or(method);
    let controller = resolve_local(did).await.map_err(|e| e.to_string())?;
    let verify = |d: Value| {
        let controller = controller.clone();
        async move {
            match d["proof"]["cryptosuite"].as_str() {
                Some("eddsa-rdfc-2022") => {
                    credence::model::verify_eddsa_rdfc(&d, controller, loader, chrono::Utc::now())
                        .await
                }
                Some("ecdsa-rdfc-2019") => {
                    verify_with!(EcdsaRdfc2019, d, KnownDocuments::one(controller), loader).await
                }
                other => Err(format!("cryptosuite {other:?}")),
            }
        }
    };
    verify(doc.clone()).await?;
    let mut changed = doc.clone();
    changed["validFrom"] = Value::String("2020-01-01T00:00:00Z".into());
    ensure(verify(changed).await.is_err(), || {
        "a changed document verified".into()
    })
}

/// Runs every status-list vector.
pub async fn run(root: &Path, report: &mut Report) {
    let dir = root.join("status-list");
    let loader = loader(root);
    let spec = dir.join("spec-examples");
    let rec = dir.join("rec-secured-examples");
    let list = read_json(spec.join("03-bitstring-status-list-credential.json"));
    let bits = bits_of(&list);

    for path in files(&spec).into_iter().chain(files(&rec)) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = read_json(&path);
        let is_list = doc["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "BitstringStatusListCredential"));
        let outcome = if is_list {
            bits_of(&doc).and_then(|b| {
                ensure(b.get(StatusSize::DEFAULT, 94567) == Some(0), || {
                    "bit 94567 is not 0".into()
                })
            })
        } else {
            match &bits {
                Ok(bits) => check_entries(&doc, &list, bits),
                Err(e) => Err(e.clone()),
            }
        };
        report.check(KIND, format!("{name}: decode / entries"), outcome);
        let method = doc["proof"]["verificationMethod"].as_str();
        match method {
            None => {}
            Some(m) if !m.contains('#') => report.not_run(
                KIND,
                format!("{name}: signature"),
                "signed with a bare DID as verificationMethod; ssi 0.16 refuses it \
                 (\"is not referring to a verification method\") and so does Credence",
            ),
            Some(_) => report.check(
                KIND,
                format!("{name}: signature verifies, changed refused"),
                signed(&doc, &loader).await,
            ),
        }
    }
    report.check(
        KIND,
        "flipped bit 94567 reads 1",
        flipped_bit_reads_one(&list),
    );

    // The REC signs with a bare DID as verificationMethod. Credence's
    // status checker demands a method its controller lists for
    // assertionMethod, so it refuses these lists (by design).
    let rec_list = read_json(rec.join("status-list-credential.eddsa-rdfc-2022.json"));
    let method = rec_list["proof"]["verificationMethod"]
        .as_str()
        .unwrap_or("");
    let outcome = match resolve_local(method).await {
        Ok(doc) => ensure(
            authorized_in(&doc, method, "assertionMethod").is_err(),
            || "a bare DID was accepted as an assertionMethod".into(),
        ),
        Err(e) => Err(e.to_string()),
    };
    report.check(
        KIND,
        "bare-DID verificationMethod refused by the status checker",
        outcome,
    );
}
