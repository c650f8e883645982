//! `caseload pseudonymise`: replaces every worker id, case id and sibling-group name with a keyed
//! hash, so a model (and every proposal made from it) can leave the case management system
//! without names or system ids. The same key gives the same pseudonyms every week, so
//! `current_worker` history still lines up; without the key they cannot be reversed. The free-text
//! `reason` of a worker's reductions is dropped, since it may name people.

use crate::error::{Error, Result};
use crate::model::ModelFile;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// Pseudonyms for one kind of id, with a check that no two ids collide.
struct Namer<'a> {
    key: &'a [u8],
    prefix: &'static str,
    map: BTreeMap<String, String>,
}

impl<'a> Namer<'a> {
    fn new(key: &'a [u8], prefix: &'static str) -> Self {
        Namer { key, prefix, map: BTreeMap::new() }
    }

    fn name(&mut self, id: &str) -> String {
        if let Some(p) = self.map.get(id) {
            return p.clone();
        }
        let mac = hmac_sha256(self.key, format!("{}\u{0}{id}", self.prefix).as_bytes());
        let hex: String = mac[..8].iter().map(|b| format!("{b:02x}")).collect();
        let p = format!("{}{hex}", self.prefix);
        self.map.insert(id.to_string(), p.clone());
        p
    }

    fn collision(&self) -> bool {
        let mut seen: Vec<&String> = self.map.values().collect();
        seen.sort();
        seen.windows(2).any(|w| w[0] == w[1])
    }
}

/// The pseudonymised model and the mapping (original id -> pseudonym) for each kind.
pub struct Pseudonymised {
    /// The model with every id replaced.
    pub model: ModelFile,
    /// (kind, original, pseudonym), sorted; keep it with the key, inside the case system.
    pub mapping: Vec<(&'static str, String, String)>,
}

/// Replaces worker ids, case ids and group names (and, if asked, team names) everywhere they
/// appear. `key` must be at least 16 bytes.
pub fn pseudonymise(model: &ModelFile, key: &[u8], teams: bool) -> Result<Pseudonymised> {
    if key.len() < 16 {
        return Err(Error::Usage(
            "the key must be at least 16 bytes; e.g. `head -c 32 /dev/urandom > key`".into(),
        ));
    }
    let mut w = Namer::new(key, "W-");
    let mut c = Namer::new(key, "C-");
    let mut g = Namer::new(key, "G-");
    let mut t = Namer::new(key, "T-");
    let mut out = model.clone();
    for worker in &mut out.workers {
        worker.id = w.name(&worker.id);
        worker.supervisor = worker.supervisor.as_deref().map(|s| w.name(s));
        // A reduction's reason is free text that may name people: it does not leave.
        for r in &mut worker.reductions {
            r.reason = None;
        }
        // Names and notes are for people inside the council: they never leave.
        worker.name = None;
        worker.notes = None;
        if teams {
            worker.team = t.name(&worker.team);
        }
    }
    for case in &mut out.cases {
        case.id = c.name(&case.id);
        case.current_worker = case.current_worker.as_deref().map(|s| w.name(s));
        case.group = case.group.as_deref().map(|s| g.name(s));
        case.exclude = case.exclude.iter().map(|s| w.name(s)).collect();
        case.previous_workers = case.previous_workers.iter().map(|s| w.name(s)).collect();
        case.name = None;
        case.notes = None;
        if teams {
            case.team = t.name(&case.team);
        }
    }
    if [&w, &c, &g, &t].iter().any(|n| n.collision()) {
        return Err(Error::Solver("two ids gave the same pseudonym; use another key".into()));
    }
    let mut mapping = Vec::new();
    for (kind, namer) in [("worker", &w), ("case", &c), ("group", &g), ("team", &t)] {
        mapping.extend(namer.map.iter().map(|(a, b)| (kind, a.clone(), b.clone())));
    }
    Ok(Pseudonymised { model: out, mapping })
}

/// The mapping of a pseudonymisation as CSV (`kind,original,pseudonym`), to keep with the key.
/// An original that a spreadsheet would run as a formula (`=HYPERLINK(...)`) gets a leading
/// `'`, as every CSV a person opens does ([`crate::util::csv_text`]).
pub fn mapping_csv(out: &Pseudonymised) -> Vec<u8> {
    let rows: Vec<Vec<String>> = out
        .mapping
        .iter()
        .map(|(kind, a, b)| vec![kind.to_string(), crate::util::csv_text(a), b.clone()])
        .collect();
    crate::util::csv_bytes(&["kind", "original", "pseudonym"], &rows, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_original_id_that_reads_as_a_formula_is_quoted_in_the_map() {
        let out = Pseudonymised {
            model: ModelFile { version: 1, policy: None, workers: Vec::new(), cases: Vec::new() },
            mapping: vec![
                ("worker", "=HYPERLINK(\"x\")".into(), "W-1".into()),
                ("case", "C1".into(), "C-2".into()),
            ],
        };
        let text = String::from_utf8(mapping_csv(&out)).unwrap();
        assert!(text.contains("worker,\"'=HYPERLINK(\"\"x\"\")\",W-1\n"), "{text}");
        assert!(text.contains("case,C1,C-2\n"), "{text}");
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn keeps_references_consistent_and_the_allocation_unchanged() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/models/small_team.json")).expect("model");
        let original = crate::read::parse_model("m", &bytes).expect("parses");
        let p = pseudonymise(&original, b"0123456789abcdef-secret", false).expect("pseudonymises");
        let json = serde_json::to_vec(&p.model).expect("json");
        let m1 = crate::load_model_bytes("a", &bytes).expect("valid");
        let m2 = crate::load_model_bytes("b", &json).expect("still valid");
        let limits = crate::solve::Limits::default();
        let (a, b) = (crate::allocate(&m1, limits).expect("a"), crate::allocate(&m2, limits).expect("b"));
        assert_eq!(a.objective, b.objective);
        assert_eq!(a.unallocated.len(), b.unallocated.len());
        let text = String::from_utf8(json).expect("utf8");
        for w in &original.workers {
            assert!(!text.contains(&format!("\"{}\"", w.id)), "{} leaked", w.id);
        }
        // Same key, same pseudonyms; another key, others.
        let again = pseudonymise(&original, b"0123456789abcdef-secret", false).expect("again");
        assert_eq!(again.model, p.model);
        let other = pseudonymise(&original, b"another-key-0123456789", false).expect("other");
        assert_ne!(other.model.workers[0].id, p.model.workers[0].id);
        assert!(pseudonymise(&original, b"short", false).is_err());
    }
}
