//! The IETF BBS fixtures (draft-06+) of both ciphersuites: generators,
//! hash_to_scalar, map_message_to_scalar and every proof, valid and invalid.

mod common;

use common::{bbs_vectors, read_json, suite_dir, unhex, zkryptium_accepts};
use credence_bbs_verify::*;

#[test]
fn generators_match_the_fixtures() {
    let Some(root) = bbs_vectors("generators_match_the_fixtures") else {
        return;
    };
    for suite in Ciphersuite::ALL {
        let g = read_json(root.join(suite_dir(suite)).join("generators.json"));
        assert_eq!(p1(suite).to_vec(), unhex(&g["P1"]));
        let msg_gens = g["MsgGenerators"].as_array().unwrap();
        let ours = create_generators(suite, msg_gens.len() + 1).unwrap();
        assert_eq!(ours[0].to_vec(), unhex(&g["Q1"]), "{suite:?} Q1");
        for (i, expected) in msg_gens.iter().enumerate() {
            assert_eq!(
                ours[i + 1].to_vec(),
                unhex(expected),
                "{suite:?} H{}",
                i + 1
            );
        }
    }
}

#[test]
fn hash_to_scalar_matches_the_fixtures() {
    let Some(root) = bbs_vectors("hash_to_scalar_matches_the_fixtures") else {
        return;
    };
    for suite in Ciphersuite::ALL {
        let h = read_json(root.join(suite_dir(suite)).join("h2s.json"));
        let s = hash_to_scalar(suite, &[&unhex(&h["message"])], &unhex(&h["dst"])).unwrap();
        assert_eq!(s.to_vec(), unhex(&h["scalar"]), "{suite:?}");
        let expected_dst = [suite.api_id(), b"H2S_"].concat();
        assert_eq!(unhex(&h["dst"]), expected_dst);
    }
}

#[test]
fn map_message_to_scalar_matches_the_fixtures() {
    let Some(root) = bbs_vectors("map_message_to_scalar_matches_the_fixtures") else {
        return;
    };
    for suite in Ciphersuite::ALL {
        let m = read_json(
            root.join(suite_dir(suite))
                .join("MapMessageToScalarAsHash.json"),
        );
        let expected_dst = [suite.api_id(), b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat();
        assert_eq!(unhex(&m["dst"]), expected_dst);
        let cases = m["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let s = map_message_to_scalar(suite, &unhex(&case["message"])).unwrap();
            assert_eq!(s.to_vec(), unhex(&case["scalar"]), "{suite:?}");
        }
    }
}

#[test]
fn every_proof_fixture_verifies_as_expected_on_both_paths() {
    let Some(root) = bbs_vectors("every_proof_fixture_verifies_as_expected_on_both_paths") else {
        return;
    };
    let mut seen = 0;
    for suite in Ciphersuite::ALL {
        let dir = root.join(suite_dir(suite)).join("proof");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let f = read_json(path.clone());
            let messages: Vec<Vec<u8>> = f["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(unhex)
                .collect();
            let indexes: Vec<usize> = f["disclosedIndexes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap() as usize)
                .collect();
            let disclosed: Vec<Vec<u8>> = indexes
                .iter()
                .filter_map(|i| messages.get(*i).cloned())
                .collect();
            let (pk, proof) = (unhex(&f["signerPublicKey"]), unhex(&f["proof"]));
            let (header, ph) = (unhex(&f["header"]), unhex(&f["presentationHeader"]));
            let valid = f["result"]["valid"].as_bool().unwrap();
            let ours = proof_verify(suite, &pk, &proof, &header, &ph, &disclosed, &indexes);
            assert_eq!(ours.is_ok(), valid, "{}: {ours:?}", path.display());
            let oracle = zkryptium_accepts(suite, &pk, &proof, &header, &ph, &disclosed, &indexes);
            assert_eq!(oracle, valid, "zkryptium on {}", path.display());
            seen += 1;
        }
    }
    assert_eq!(seen, 30, "15 proof fixtures per suite");
}
