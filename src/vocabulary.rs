//! Everyday words for roles and case types: the one table that spreadsheets (CSV and workbook
//! `role` and `type` columns, the policy sheet's role and type names), the `aliases` sheet and
//! `recommend --type` read through. A worker's status in everyday words (`on leave`,
//! `vacancy`) and an fte as a percentage are read here too, by the sheets and by `check`'s
//! comparison of the meeting workbook's workers sheet. Model files (JSON) keep the canonical
//! snake_case names of the specification; outputs keep them too, or say them in plain English.
//!
//! A word is read without regard to case, spaces, hyphens, underscores, dots or apostrophes:
//! `Looked-After Child`, `looked after child` and `LOOKED_AFTER_CHILD` are one word, and so are
//! `C.P.` and `cp`. The canonical names (`social_worker`) are always words.
//!
//! | means | everyday words |
//! |---|---|
//! | `team_manager` | team manager, TM |
//! | `senior_social_worker` | senior social worker, SSW, senior practitioner, SP, advanced practitioner, AP, advanced social work practitioner, consultant social worker, CSW, senior SW, snr SW |
//! | `social_worker` | social worker, SW, qualified social worker, QSW, registered social worker, children's social worker |
//! | `newly_qualified_social_worker` | newly qualified social worker, NQSW, newly qualified, NQ, ASYE, ASYE social worker |
//! | `social_work_assistant` | social work assistant, SWA, social work support worker, social work support officer |
//! | `family_support_worker` | family support worker, FSW, family support practitioner, FSP, family worker |
//! | `personal_adviser` | personal adviser, personal advisor, PA, leaving care personal adviser, leaving care adviser, leaving care worker |
//! | `child_in_need` | child in need, CIN, children in need, in need, section 17, s17 |
//! | `child_protection` | child protection, CP, child protection plan, CPP, CP plan, section 47, s47 |
//! | `looked_after` | looked after, looked-after child, looked after child, child looked after, children looked after, LAC, CLA, child in care, children in care, CIC, in care, section 20, s20, section 31, s31, care order |
//! | `care_leaver` | care leaver, care leavers, leaving care, former relevant child, relevant child |
//!
//! A council's own words are added with an `aliases` sheet (columns `word` and `means`; `means`
//! is a canonical name or any word of the table); see [`Vocabulary`].

use crate::model::{CaseType, Role, Status};
use std::collections::BTreeMap;

/// The everyday words for each role (the canonical names are words too).
pub const ROLE_WORDS: &[(&str, Role)] = &[
    ("team manager", Role::TeamManager),
    ("TM", Role::TeamManager),
    ("senior social worker", Role::SeniorSocialWorker),
    ("SSW", Role::SeniorSocialWorker),
    ("senior practitioner", Role::SeniorSocialWorker),
    ("SP", Role::SeniorSocialWorker),
    ("advanced practitioner", Role::SeniorSocialWorker),
    ("AP", Role::SeniorSocialWorker),
    ("advanced social work practitioner", Role::SeniorSocialWorker),
    ("consultant social worker", Role::SeniorSocialWorker),
    ("CSW", Role::SeniorSocialWorker),
    ("senior SW", Role::SeniorSocialWorker),
    ("snr SW", Role::SeniorSocialWorker),
    ("social worker", Role::SocialWorker),
    ("SW", Role::SocialWorker),
    ("qualified social worker", Role::SocialWorker),
    ("QSW", Role::SocialWorker),
    ("registered social worker", Role::SocialWorker),
    ("children's social worker", Role::SocialWorker),
    ("newly qualified social worker", Role::NewlyQualifiedSocialWorker),
    ("NQSW", Role::NewlyQualifiedSocialWorker),
    ("newly qualified", Role::NewlyQualifiedSocialWorker),
    ("NQ", Role::NewlyQualifiedSocialWorker),
    ("ASYE", Role::NewlyQualifiedSocialWorker),
    ("ASYE social worker", Role::NewlyQualifiedSocialWorker),
    ("social work assistant", Role::SocialWorkAssistant),
    ("SWA", Role::SocialWorkAssistant),
    ("social work support worker", Role::SocialWorkAssistant),
    ("social work support officer", Role::SocialWorkAssistant),
    ("family support worker", Role::FamilySupportWorker),
    ("FSW", Role::FamilySupportWorker),
    ("family support practitioner", Role::FamilySupportWorker),
    ("FSP", Role::FamilySupportWorker),
    ("family worker", Role::FamilySupportWorker),
    ("personal adviser", Role::PersonalAdviser),
    ("personal advisor", Role::PersonalAdviser),
    ("PA", Role::PersonalAdviser),
    ("leaving care personal adviser", Role::PersonalAdviser),
    ("leaving care adviser", Role::PersonalAdviser),
    ("leaving care worker", Role::PersonalAdviser),
];

/// The everyday words for each case type (the canonical names are words too).
pub const TYPE_WORDS: &[(&str, CaseType)] = &[
    ("child in need", CaseType::ChildInNeed),
    ("CIN", CaseType::ChildInNeed),
    ("children in need", CaseType::ChildInNeed),
    ("in need", CaseType::ChildInNeed),
    ("section 17", CaseType::ChildInNeed),
    ("s17", CaseType::ChildInNeed),
    ("child protection", CaseType::ChildProtection),
    ("CP", CaseType::ChildProtection),
    ("section 47", CaseType::ChildProtection),
    ("s47", CaseType::ChildProtection),
    ("child protection plan", CaseType::ChildProtection),
    ("CPP", CaseType::ChildProtection),
    ("CP plan", CaseType::ChildProtection),
    ("looked after", CaseType::LookedAfter),
    ("looked-after child", CaseType::LookedAfter),
    ("looked after child", CaseType::LookedAfter),
    ("child looked after", CaseType::LookedAfter),
    ("children looked after", CaseType::LookedAfter),
    ("LAC", CaseType::LookedAfter),
    ("CLA", CaseType::LookedAfter),
    ("child in care", CaseType::LookedAfter),
    ("children in care", CaseType::LookedAfter),
    ("CIC", CaseType::LookedAfter),
    ("in care", CaseType::LookedAfter),
    ("section 20", CaseType::LookedAfter),
    ("s20", CaseType::LookedAfter),
    ("section 31", CaseType::LookedAfter),
    ("s31", CaseType::LookedAfter),
    ("care order", CaseType::LookedAfter),
    ("care leaver", CaseType::CareLeaver),
    ("care leavers", CaseType::CareLeaver),
    ("leaving care", CaseType::CareLeaver),
    ("former relevant child", CaseType::CareLeaver),
    ("relevant child", CaseType::CareLeaver),
];

/// Words that, inside a column's header, say the column names a worker: `Worker allocated`,
/// `allocate to`, `assigned`, `practitioner`, `key worker`, `case holder`. A header that is a
/// role's word (`SW`, `social worker`, `senior practitioner`, `PA`) names one too: see
/// [`names_a_worker`].
pub const WORKER_HEADER_WORDS: &[&str] = &["worker", "allocat", "assign", "practitioner", "holder"];

/// Whether a column's header says the column names a worker: it holds one of
/// [`WORKER_HEADER_WORDS`] (in any case), or it is a role's word of the table (`SW`, `NQSW`,
/// `personal adviser`), since a column headed with a role names the person who holds it. The
/// meeting workbook's reader refuses a worker typed under such a header, where it would not
/// be read.
pub fn names_a_worker(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    WORKER_HEADER_WORDS.iter().any(|w| h.contains(w)) || role(header).is_some()
}

/// A word as it is compared: lower case, letters and digits only (`Looked-After child` and
/// `looked_after_child` are both `lookedafterchild`).
pub fn key(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A role or a case type: what a word means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Meaning {
    /// A worker's role.
    Role(Role),
    /// A case's type.
    Type(CaseType),
}

impl Meaning {
    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Meaning::Role(r) => r.name(),
            Meaning::Type(t) => t.name(),
        }
    }
}

/// The role a word of the table names (built-in words only).
pub fn role(word: &str) -> Option<Role> {
    Vocabulary::default().role(word)
}

/// The case type a word of the table names (built-in words only).
pub fn case_type(word: &str) -> Option<CaseType> {
    Vocabulary::default().case_type(word)
}

/// The built-in words with a council's own (from an `aliases` sheet). A council's word may
/// also redefine a built-in one (a council whose "SP" is a social worker says so).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    own: BTreeMap<String, (String, Meaning)>,
    /// Each word as given, with what it was given to mean, as written.
    given: BTreeMap<String, String>,
    /// Whether a word past [`crate::limits::MAX_ALIASES`] was refused: the words after it are
    /// dropped without a word more, the one refusal having failed the run.
    full: bool,
    /// The suggestions made so far for unknown roles and types, and the words compared for them.
    said: Said,
}

/// The "did you mean" already made for each unknown role or type word (the same for every cell
/// that holds it), and how many words were compared to make them: past [`MAX_COMPARISONS`] a
/// new unknown word gets no suggestion, so a sheet of 20,000 unknown role cells against 10,000
/// aliases is refused in the time of a few hundred. Not part of what a vocabulary means: two
/// vocabularies of the same words are equal whatever they were asked.
#[derive(Debug, Default)]
struct Said(std::sync::Mutex<(Suggested, usize)>);

/// Suggestions by (a role word, the word's key).
type Suggested = BTreeMap<(bool, String), String>;

impl Clone for Said {
    fn clone(&self) -> Said {
        Said(std::sync::Mutex::new(self.0.lock().map(|s| s.clone()).unwrap_or_default()))
    }
}

impl PartialEq for Said {
    fn eq(&self, _: &Said) -> bool {
        true
    }
}

impl Vocabulary {
    /// The role a word names: a council's word first, then the table, then a canonical name.
    pub fn role(&self, word: &str) -> Option<Role> {
        match self.meaning(word)? {
            Meaning::Role(r) => Some(r),
            Meaning::Type(_) => None,
        }
    }

    /// The case type a word names: a council's word first, then the table, then a canonical name.
    pub fn case_type(&self, word: &str) -> Option<CaseType> {
        match self.meaning(word)? {
            Meaning::Type(t) => Some(t),
            Meaning::Role(_) => None,
        }
    }

    /// What a word means, if anything.
    pub fn meaning(&self, word: &str) -> Option<Meaning> {
        let k = key(word);
        if k.is_empty() {
            return None;
        }
        if let Some((_, m)) = self.own.get(&k) {
            return Some(*m);
        }
        builtin(&k)
    }

    /// Adds a council's word, meaning what `means` means (a canonical name or a word of the
    /// table). The error says, in words, why it cannot be added.
    pub fn add(&mut self, word: &str, means: &str) -> std::result::Result<(), String> {
        if self.own.len() >= crate::limits::MAX_ALIASES {
            if std::mem::replace(&mut self.full, true) {
                return Ok(());
            }
            return Err(crate::model::too_many_aliases());
        }
        if self.own.len() >= crate::limits::MAX_ALIASES {
            if std::mem::replace(&mut self.full, true) {
                return Ok(());
            }
            return Err(crate::model::too_many_aliases());
        }
        let k = key(word);
        if k.is_empty() {
            return Err("the word has no letters or digits; give the word your council uses".into());
        }
        let Some(m) = builtin(&key(means)) else {
            return Err(format!(
                "{} means nothing caseload knows{}; give a role or case type, such as social worker or child protection",
                crate::util::quoted(means),
                did_you_mean(means, &all_words())
            ));
        };
        // The names caseload writes (the model file's, and the plain words of the meeting
        // workbook's `type` column and every sheet's `role`) keep their meaning: given another,
        // a workbook written from the model (`convert --xlsx`, `accept -o next.xlsx`) would read
        // back with every child protection case a looked-after one, say, without a word.
        if let Some(written) = written_name(&k).filter(|w| *w != m) {
            return Err(format!(
                "{} is the name caseload writes for {} in the workbooks and model files it makes, so it cannot mean {}: a workbook written from this model would read back changed; give another word",
                crate::util::quoted(word),
                written.name(),
                m.name()
            ));
        }
        if let Some((first, before)) = self.own.get(&k) {
            if *before != m {
                return Err(format!(
                    "{} is already given to mean {} (as {}); give each word once",
                    crate::util::quoted(word),
                    before.name(),
                    crate::util::quoted(first)
                ));
            }
            return Ok(());
        }
        self.own.insert(k, (word.to_string(), m));
        self.given.insert(word.to_string(), means.to_string());
        Ok(())
    }

    /// The council's words as given (word -> what it means, as written): `policy.aliases`.
    pub fn given(&self) -> &BTreeMap<String, String> {
        &self.given
    }

    /// The built-in words with those of `policy.aliases`; a word that cannot be added is left
    /// out (validation names it).
    pub fn of_policy(p: Option<&crate::model::PolicyInput>) -> Vocabulary {
        let mut v = Vocabulary::default();
        v.add_policy(p);
        v
    }

    /// Adds the words of `policy.aliases`, leaving out any that cannot be added (validation
    /// names them).
    pub fn add_policy(&mut self, p: Option<&crate::model::PolicyInput>) {
        if let Some(aliases) = p.and_then(|p| p.aliases.as_ref()) {
            self.add_aliases(aliases);
        }
    }

    /// Adds the words of an aliases map (word -> what it means), leaving out any that cannot
    /// be added.
    fn add_aliases(&mut self, aliases: &BTreeMap<String, String>) {
        for (word, means) in aliases {
            let _ = self.add(word, means);
        }
    }

    /// The built-in words with a checked model's own (`Model::aliases`), as
    /// [`Vocabulary::of_policy`] makes them from the policy it was read from.
    pub fn of_aliases(aliases: &BTreeMap<String, String>) -> Vocabulary {
        let mut v = Vocabulary::default();
        v.add_aliases(aliases);
        v
    }

    /// Whether a council gave any words of its own.
    pub fn is_empty(&self) -> bool {
        self.own.is_empty()
    }

    /// The words a role column accepts that look like `word`: " (did you mean ...?)" or "".
    pub fn suggest_role(&self, word: &str) -> String {
        self.suggest(true, word)
    }

    /// The words a type column accepts that look like `word`: " (did you mean ...?)" or "".
    pub fn suggest_type(&self, word: &str) -> String {
        self.suggest(false, word)
    }

    /// [`Vocabulary::suggest_role`] (`role`) or [`Vocabulary::suggest_type`]: remembered per
    /// word, and none once the words compared for earlier ones pass [`MAX_COMPARISONS`].
    fn suggest(&self, role: bool, word: &str) -> String {
        let asked = (role, key(word));
        let Ok(mut said) = self.said.0.lock() else { return String::new() };
        if let Some(s) = said.0.get(&asked) {
            return s.clone();
        }
        if said.1 > MAX_COMPARISONS {
            return String::new();
        }
        let mut words: Vec<String> = self.words(|m| matches!(m, Meaning::Role(_)) == role);
        if role {
            words.extend(Role::ALL.iter().map(|r| r.name().to_string()));
        } else {
            words.extend(CaseType::ALL.iter().map(|t| t.name().to_string()));
        }
        said.1 += words.len();
        let s = did_you_mean(word, &same_sense(word, words));
        said.0.insert(asked, s.clone());
        s
    }

    fn words(&self, keep: impl Fn(Meaning) -> bool) -> Vec<String> {
        let mut out: Vec<String> = ROLE_WORDS
            .iter()
            .map(|(w, r)| (*w, Meaning::Role(*r)))
            .chain(TYPE_WORDS.iter().map(|(w, t)| (*w, Meaning::Type(*t))))
            .filter(|(_, m)| keep(*m))
            .map(|(w, _)| w.to_string())
            .collect();
        out.extend(self.own.values().filter(|(_, m)| keep(*m)).map(|(w, _)| w.clone()));
        out
    }
}

/// The words that may be suggested for `word` as a role or a case type: not one whose numbers
/// differ, when both have numbers (`s17`, a child in need, for `S46`: the section is the
/// meaning; `CLA` for `C1A` is a slip of a letter), nor one that is `word` without its
/// negation or with one (`qualified social worker` for `unqualified social worker`). A
/// suggestion a person takes must not turn the meaning round.
fn same_sense(word: &str, words: Vec<String>) -> Vec<String> {
    let digits = |w: &str| w.chars().filter(char::is_ascii_digit).collect::<String>();
    let (k, d) = (key(word), digits(word));
    let negated = |a: &str, b: &str| ["un", "non", "not"].iter().any(|n| a.strip_prefix(n) == Some(b));
    words
        .into_iter()
        .filter(|w| {
            let kw = key(w);
            let dw = digits(w);
            (d.is_empty() || dw.is_empty() || dw == d) && !negated(&k, &kw) && !negated(&kw, &k)
        })
        .collect()
}

/// The meaning of a name caseload itself writes, by its key: a canonical name (`child_protection`,
/// `social_worker`) or the plain words of one (`child protection`, `looked-after child`).
fn written_name(k: &str) -> Option<Meaning> {
    Role::ALL.iter().find(|r| key(r.name()) == k).map(|r| Meaning::Role(*r)).or_else(|| {
        CaseType::ALL.iter().find(|t| key(t.name()) == k || key(t.words()) == k).map(|t| Meaning::Type(*t))
    })
}

/// The meaning of a key in the built-in table or as a canonical name.
fn builtin(k: &str) -> Option<Meaning> {
    Role::ALL
        .iter()
        .find(|r| key(r.name()) == k)
        .map(|r| Meaning::Role(*r))
        .or_else(|| CaseType::ALL.iter().find(|t| key(t.name()) == k).map(|t| Meaning::Type(*t)))
        .or_else(|| ROLE_WORDS.iter().find(|(w, _)| key(w) == k).map(|(_, r)| Meaning::Role(*r)))
        .or_else(|| TYPE_WORDS.iter().find(|(w, _)| key(w) == k).map(|(_, t)| Meaning::Type(*t)))
}

fn all_words() -> Vec<String> {
    Vocabulary::default().words(|_| true)
}

/// A key with look-alike characters made one: `l`, `1`, `i` and `|` as `l`; `0` as `o`.
fn look_alike(k: &str) -> String {
    k.chars()
        .map(|c| match c {
            '1' | 'i' | '|' => 'l',
            '0' => 'o',
            c => c,
        })
        .collect()
}

/// A sheet's word as a name of the file's own: a header as a field name, a choice (a status)
/// or a policy setting as its name; lower case, each run of spaces (of any kind), hyphens and
/// underscores as one underscore.
pub(crate) fn sheet_key(cell: &str) -> String {
    // A run of spaces of any kind (a no-break space pasted from a web page or a report, a line
    // break typed with Alt+Enter, two spaces), hyphens and underscores is one `_`.
    let mut out = String::with_capacity(cell.len());
    let mut gap = false;
    for ch in cell.chars() {
        if ch.is_whitespace() || ch == '-' || ch == '_' {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        out.extend(ch.to_lowercase());
    }
    if gap && out.is_empty() {
        // Nothing but gaps: kept as one, so it names no column rather than none at all.
        out.push('_');
    }
    out
}

/// A status cell of a sheet as the workers sheet reads it: the name or an everyday word for it
/// (`On leave`), any case, spaces or hyphens.
pub(crate) fn status_word(cell: &str) -> Option<Status> {
    parse_status(&sheet_key(cell.trim()))
}

/// A share as a workers sheet reads an fte: a number, or a percentage (`60%` is 0.6).
pub(crate) fn share_word(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    match cell.strip_suffix('%') {
        Some(n) => n.trim_end().parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| x / 100.0),
        None => cell.parse::<f64>().ok().filter(|x| x.is_finite()),
    }
}

/// A status, or the everyday words for it (SPEC: `absent` is "leaving, sick or on leave"), as
/// a sheet's cell is folded for it ([`sheet_key`]).
pub(crate) fn parse_status(s: &str) -> Option<Status> {
    match s {
        "active" | "in_post" | "working" | "filled" => Some(Status::Active),
        "vacant" | "vacancy" | "unfilled" | "vacant_post" => Some(Status::Vacant),
        "absent" | "on_leave" | "leave" | "sick" | "off_sick" | "on_sick_leave" | "sick_leave"
        | "long_term_sick" | "maternity_leave" | "on_maternity_leave" | "parental_leave" | "leaving" => {
            Some(Status::Absent)
        }
        _ => None,
    }
}

/// The edit distance (insertions, deletions, substitutions) between two strings, in full:
/// the oracle [`distance_at_most`] is tested against (every caller asks for the band).
#[cfg(test)]
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// [`distance`] when it is at most `k`, else `None`, computed only along the diagonal band
/// `k` wide: linear in the strings' length, so two long cells (ids of 20,000 characters from a
/// hostile file) cost no more than a short pass each.
pub fn distance_at_most(a: &str, b: &str, k: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    banded(&a, &b, k, &mut Vec::new())
}

/// [`distance_at_most`] of two keys as characters, with a row to reuse between calls (no
/// allocation once it is long enough).
fn banded(a: &[char], b: &[char], k: usize, row: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let far = k + 1;
    // row[j] for the cells of row i within the band; others count as `far`.
    row.clear();
    row.extend((0..=b.len()).map(|j| j.min(far)));
    for i in 1..=a.len() {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(b.len());
        if lo > hi {
            // The band left the row (`b` is empty): every cell is `far` or the first.
            if i > k {
                return None;
            }
            row[0] = i.min(far);
            continue;
        }
        let mut diag = row[lo - 1];
        row[lo - 1] = if lo == 1 { i.min(far) } else { far };
        let mut best = row[lo - 1];
        for j in lo..=hi {
            let up = row[j];
            let next = (up + 1).min(row[j - 1] + 1).min(diag + usize::from(a[i - 1] != b[j - 1])).min(far);
            diag = up;
            row[j] = next;
            best = best.min(next);
        }
        if hi < b.len() {
            row[hi + 1] = far;
        }
        if best > k {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&d| d <= k)
}

/// The candidates closest to `word` (same letters once look-alike characters are made one, or
/// within a small edit distance), every one of the nearest listed rather than one picked:
/// `" (did you mean \"CIN\"?)"`, `" (did you mean \"T01\" or \"T1\"?)"`, or "" when none is near.
pub fn did_you_mean(word: &str, candidates: &[String]) -> String {
    Nearest::new(candidates.iter().cloned()).did_you_mean(word)
}

/// The candidates nearest to `word` (see [`did_you_mean`]), in the order given, without repeats.
pub fn nearest(word: &str, candidates: &[String]) -> Vec<String> {
    Nearest::new(candidates.iter().cloned()).nearest(word).unwrap_or_default()
}

/// The candidates one slip from `word` at most (look-alike characters, case and spacing count as
/// no slip): the near-misses sure enough to stop a run. Every tie is listed.
pub fn slips(word: &str, candidates: &[String]) -> Vec<String> {
    Nearest::new(candidates.iter().cloned()).slips(word).unwrap_or_default()
}

/// The most comparisons of a word with a candidate one [`Nearest`] makes, over every word it
/// is asked about: 4,194,304. A file with thousands of unknown names against thousands of
/// known ones (5,000 case teams no worker is in, against 5,000 worker teams) would otherwise
/// compare every pair; past this, a word is not compared at all ([`Nearest::skipped`] counts
/// them) and its message names no suggestion. Ordinary mistakes (a few unknown words against
/// up to a few hundred thousand ids) are far below it.
pub const MAX_COMPARISONS: usize = 1 << 22;

/// One candidate, ready to compare: its key with look-alike characters made one, as
/// characters, and a count of its characters in 32 buckets (a lower bound on the edit
/// distance of two keys, found without computing it).
#[derive(Clone, Debug)]
struct Candidate {
    given: String,
    key: Vec<char>,
    counts: [u8; 32],
}

fn counts(key: &[char]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for &c in key {
        let b = &mut out[c as usize % 32];
        *b = b.saturating_add(1);
    }
    out
}

/// A lower bound on the edit distance of two keys from their bucket counts: each insertion,
/// deletion or substitution changes the counts by one up and one down at most. (Counts held
/// at 255 only lower it.)
fn counts_apart(a: &[u8; 32], b: &[u8; 32]) -> usize {
    let (mut up, mut down) = (0usize, 0usize);
    for (x, y) in a.iter().zip(b) {
        if x > y {
            up += usize::from(x - y);
        } else {
            down += usize::from(y - x);
        }
    }
    up.max(down)
}

/// The candidates of many words' suggestions, prepared once (each key made once, candidates
/// of the same key kept once, by length), with a bound on the work of all the words asked
/// about together ([`MAX_COMPARISONS`]): what [`did_you_mean`], [`nearest`] and [`slips`] do
/// for one word, for a loop over thousands of unknown names.
#[derive(Clone, Debug)]
pub struct Nearest {
    candidates: Vec<Candidate>,
    /// Candidate positions sorted by key length (then position).
    by_length: Vec<usize>,
    /// Comparisons allowed, and left.
    limit: usize,
    left: usize,
    /// Words not compared, the comparisons having run out.
    skipped: usize,
    row: Vec<usize>,
}

impl Nearest {
    /// The candidates, in the order suggestions list them.
    pub fn new<S: Into<String>>(candidates: impl IntoIterator<Item = S>) -> Nearest {
        Nearest::with_limit(candidates, MAX_COMPARISONS)
    }

    /// [`Nearest::new`] with another bound on the comparisons (for tests).
    pub fn with_limit<S: Into<String>>(candidates: impl IntoIterator<Item = S>, limit: usize) -> Nearest {
        let mut seen = std::collections::HashSet::new();
        let mut list = Vec::new();
        for c in candidates {
            let given: String = c.into();
            let k = key(&given);
            // A candidate of the same key as one before it is never listed (see `nearest`).
            if k.is_empty() || !seen.insert(k.clone()) {
                continue;
            }
            let key: Vec<char> = look_alike(&k).chars().collect();
            list.push(Candidate { counts: counts(&key), key, given });
        }
        let mut by_length: Vec<usize> = (0..list.len()).collect();
        by_length.sort_by_key(|&i| (list[i].key.len(), i));
        Nearest { candidates: list, by_length, limit, left: limit, skipped: 0, row: Vec::new() }
    }

    /// How many different candidates there are (by key).
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Whether there is no candidate.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// How many comparisons of a word with a candidate were made (or charged) so far.
    pub fn compared(&self) -> usize {
        self.limit - self.left
    }

    /// How many words were not compared with the candidates, the comparisons having run out.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The candidates nearest to `word` (see [`did_you_mean`]), in the order given; `None`
    /// when it was not compared, the comparisons having run out.
    pub fn nearest(&mut self, word: &str) -> Option<Vec<String>> {
        Some(self.search(word)?.into_iter().map(|(_, i)| self.candidates[i].given.clone()).collect())
    }

    /// The candidates one slip from `word` at most (see [`slips`]); `None` when it was not
    /// compared.
    pub fn slips(&mut self, word: &str) -> Option<Vec<String>> {
        let found = self.search(word)?;
        Some(
            found
                .into_iter()
                .filter(|&(d, _)| d <= 1)
                .map(|(_, i)| self.candidates[i].given.clone())
                .collect(),
        )
    }

    /// `" (did you mean ...?)"` for `word` (see [`did_you_mean`]), or "" when none is near or
    /// it was not compared.
    pub fn did_you_mean(&mut self, word: &str) -> String {
        let near = self.nearest(word).unwrap_or_default();
        if near.is_empty() {
            return String::new();
        }
        let shown: Vec<String> = near.iter().map(|c| crate::util::quoted(c)).collect();
        format!(" (did you mean {}?)", or_list(&shown))
    }

    /// The nearest candidates with their distance, by position; `None` when the comparisons
    /// left are fewer than the candidates of a near enough length.
    fn search(&mut self, word: &str) -> Option<Vec<(usize, usize)>> {
        let k: Vec<char> = look_alike(&key(word)).chars().collect();
        if k.is_empty() {
            return Some(Vec::new());
        }
        let allowed = match k.len() {
            0..=3 => 1,
            4..=8 => 2,
            _ => 3,
        };
        // Lengths further apart than the edits allowed cannot be near: only the candidates
        // of a length within them are compared, and counted.
        let cands = &self.candidates;
        let from = self.by_length.partition_point(|&i| cands[i].key.len() + allowed < k.len());
        let to = self.by_length.partition_point(|&i| cands[i].key.len() <= k.len() + allowed);
        let window = to.saturating_sub(from);
        if window > self.left {
            self.skipped += 1;
            self.left = 0;
            return None;
        }
        self.left -= window;
        let mine = counts(&k);
        let mut best = usize::MAX;
        let mut out: Vec<(usize, usize)> = Vec::new();
        for &i in &self.by_length[from..to] {
            let c = &self.candidates[i];
            if counts_apart(&mine, &c.counts) > allowed.min(best) {
                continue;
            }
            let Some(d) = banded(&k, &c.key, allowed.min(best), &mut self.row) else { continue };
            if d < best {
                best = d;
                out.clear();
            }
            out.push((d, i));
        }
        out.sort_by_key(|&(_, i)| i);
        Some(out)
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header pasted from a web page (no-break spaces), typed on two lines (Alt+Enter) or
    /// with two spaces names its column as one typed with a single space does.
    #[test]
    fn a_header_with_spaces_of_any_kind_names_the_column_of_one_space() {
        for h in [
            "Current Worker",
            "current_worker",
            "Current-Worker",
            "Current\u{a0}Worker",
            "Current\nWorker",
            "Current\r\nWorker",
            "Current  Worker",
            "current - worker",
            "Current\u{2007}Worker",
        ] {
            assert_eq!(sheet_key(h), "current_worker", "{h:?}");
        }
        assert_eq!(status_word("On\u{a0}leave"), Some(Status::Absent));
        assert_eq!(sheet_key(""), "");
        assert_eq!(sheet_key("-"), "_");
    }

    #[test]
    fn no_two_entries_of_the_table_share_a_word_with_different_meanings() {
        let all: Vec<(String, Meaning)> = ROLE_WORDS
            .iter()
            .map(|(w, r)| (key(w), Meaning::Role(*r)))
            .chain(TYPE_WORDS.iter().map(|(w, t)| (key(w), Meaning::Type(*t))))
            .collect();
        for (i, (k, m)) in all.iter().enumerate() {
            for (k2, m2) in &all[i + 1..] {
                assert!(k != k2 || m == m2, "{k} means two things");
            }
            assert_eq!(builtin(k), Some(*m), "{k}");
        }
    }

    #[test]
    fn role_suggestions_are_remembered_and_stop_past_their_comparisons() {
        let mut v = Vocabulary::default();
        for i in 0..10_000 {
            v.add(&format!("grade {i:05}"), "social worker").unwrap();
        }
        let socail = v.suggest_role("Socail Worker");
        assert!(socail.contains("social worker"), "{socail}");
        // Unknown words each compared with every word the column accepts, until the
        // comparisons allowed are spent...
        let asked = MAX_COMPARISONS / 10_000 + 2;
        for i in 0..asked {
            v.suggest_role(&format!("nonsense {i}"));
        }
        // ...then a new word gets none, while one already asked keeps its suggestion.
        assert_eq!(v.suggest_role("Social Wroker"), "");
        assert_eq!(v.suggest_role("socail worker"), socail);
        // A fresh vocabulary still suggests it: what was asked is not what the words mean.
        assert_eq!(Vocabulary::default(), Vocabulary::default().clone());
        assert!(Vocabulary::default().suggest_role("Social Wroker").contains("social worker"));
    }

    #[test]
    fn a_suggestion_never_turns_the_meaning_round() {
        let v = Vocabulary::default();
        assert_eq!(v.suggest_type("S46"), "");
        assert_eq!(v.suggest_type("Section 48"), "");
        assert_eq!(case_type("S47"), Some(CaseType::ChildProtection));
        assert_eq!(case_type("Section 20"), Some(CaseType::LookedAfter));
        assert_eq!(v.suggest_role("Unqualified Social Worker"), "");
        assert_eq!(v.suggest_role("non social worker"), "");
        // A slip of the same sense is still suggested.
        assert!(v.suggest_type("sectoin 47").contains("section 47"), "{}", v.suggest_type("sectoin 47"));
        assert!(v.suggest_role("Socail Worker").contains("social worker"));
    }

    /// The search as it was before [`Nearest`]: every candidate compared in full, in order.
    fn nearest_in_full(word: &str, candidates: &[String]) -> Vec<String> {
        let k = look_alike(&key(word));
        if k.is_empty() {
            return Vec::new();
        }
        let allowed = match k.chars().count() {
            0..=3 => 1,
            4..=8 => 2,
            _ => 3,
        };
        let mut best: Option<usize> = None;
        let mut out: Vec<String> = Vec::new();
        for c in candidates {
            let ck = look_alike(&key(c));
            if ck.is_empty() {
                continue;
            }
            let d = distance(&k, &ck);
            if d > allowed || best.is_some_and(|b| d > b) {
                continue;
            }
            if best.is_some_and(|b| d < b) {
                out.clear();
            }
            best = Some(d);
            if !out.iter().any(|o| key(o) == key(c)) {
                out.push(c.clone());
            }
        }
        out
    }

    #[test]
    fn prepared_candidates_suggest_what_a_full_search_suggests() {
        let mut g = crate::generate::SplitMix64::new(11);
        let alphabet: Vec<char> = "aAb1lIO0 -x".chars().collect();
        let word = |g: &mut crate::generate::SplitMix64| -> String {
            (0..g.below(12)).map(|_| alphabet[g.below(alphabet.len())]).collect()
        };
        for round in 0..300 {
            let candidates: Vec<String> = (0..g.below(40)).map(|_| word(&mut g)).collect();
            let mut near = Nearest::new(candidates.iter().cloned());
            for _ in 0..20 {
                let w = word(&mut g);
                let full = nearest_in_full(&w, &candidates);
                assert_eq!(near.nearest(&w), Some(full.clone()), "round {round}: {w:?} among {candidates:?}");
                let k = look_alike(&key(&w));
                let one: Vec<String> =
                    full.into_iter().filter(|c| distance(&k, &look_alike(&key(c))) <= 1).collect();
                assert_eq!(near.slips(&w), Some(one), "round {round}: {w:?}");
            }
            assert_eq!(near.skipped(), 0);
        }
    }

    #[test]
    fn thousands_of_unknown_names_make_no_more_comparisons_than_allowed() {
        let known: Vec<String> = (0..5000).map(|i| format!("Team{i:05}x")).collect();
        let mut near = Nearest::new(known.iter().cloned());
        let mut suggested = 0;
        for i in 0..5000 {
            if near.nearest(&format!("Team{i:05}y")).is_some_and(|n| !n.is_empty()) {
                suggested += 1;
            }
        }
        // Every pair would be 25,000,000 comparisons.
        assert!(near.compared() <= MAX_COMPARISONS, "{}", near.compared());
        assert_eq!(suggested + near.skipped(), 5000);
        assert_eq!(suggested, MAX_COMPARISONS / 5000);
        // An ordinary slip still finds its team, first.
        let mut near = Nearest::new(known.iter().cloned());
        assert_eq!(near.did_you_mean("TeamOOO42x"), " (did you mean \"Team00042x\"?)");
    }

    #[test]
    fn look_alike_characters_and_small_slips_are_suggested_with_every_tie() {
        let teams: Vec<String> = ["T01", "T00", "T02"].map(String::from).to_vec();
        assert_eq!(nearest("T0l", &teams), vec!["T01".to_string()]);
        assert_eq!(nearest("TO2", &teams), vec!["T02".to_string()]);
        assert_eq!(nearest("T03", &teams), teams);
        assert!(nearest("North", &teams).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
        // The band gives the full distance whenever it is within the band, on every pair of
        // short strings over a small alphabet (the ones where edits cross most).
        let words: Vec<String> = (0..200u32)
            .map(|n| (0..(n % 7)).map(|i| ['a', 'b', 'l'][((n / 3 + i * 5 + n * i) % 3) as usize]).collect())
            .collect();
        for a in &words {
            for b in &words {
                for k in 0..4 {
                    let full = distance(a, b);
                    assert_eq!(distance_at_most(a, b, k), (full <= k).then_some(full), "{a} {b} {k}");
                }
            }
        }
    }
}
