//! Small helpers shared by several modules: hashing, CSV bytes, union-find, quoting.

use sha2::{Digest, Sha256};

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// CSV bytes: a header and rows, quoting any field that holds a comma, a quote or a line break.
/// `for_spreadsheet` starts the file with a UTF-8 byte-order mark and ends lines with CRLF, so
/// spreadsheet programs read accented names correctly; otherwise plain UTF-8 with LF.
pub fn csv_bytes<S: AsRef<str>>(header: &[S], rows: &[Vec<String>], for_spreadsheet: bool) -> Vec<u8> {
    let mut out = if for_spreadsheet { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    {
        let terminator = if for_spreadsheet { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut w = csv::WriterBuilder::new().terminator(terminator).from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = w.write_record(header.iter().map(|h| h.as_ref()));
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

/// Text for a spreadsheet cell in a CSV. A value that starts with `=`, `+`, `-`, `@` or a
/// control character would be run as a formula by spreadsheet programs; it gets a leading `'`,
/// which they show as text. The one guard of every CSV a person opens (`allocate --csv`,
/// `whatif --csv`, `pseudonymise --map`).
pub fn csv_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Disjoint sets over `0..n` (union by smallest root, path halving): the root of a set is its
/// smallest member, so results never depend on the order of unions.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind { parent: (0..n).collect() }
    }

    /// The root of `x`'s set (its smallest member), shortening the path on the way.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// The root of `x`'s set, without changing anything.
    pub fn find_const(&self, mut x: usize) -> usize {
        while self.parent[x] != x {
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// `s` on one line: a line break or carriage return inside it (a team named `"North\n..."`)
/// shown escaped, so a message stays one line and no text from a file can start a line of
/// its own (`caseload: ...`) in a log. Every message of one problem passes through it.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\n', '\r']) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.replace('\n', "\\n").replace('\r', "\\r"))
}

/// The most characters of a name the input gives (a JSON key, a workbook's sheet name) that a
/// message shows: a key or a sheet's name may be millions of characters, which made a message
/// as long.
pub const SHOWN_CHARS: usize = 40;

/// A name the input gives as a message shows it: whole up to [`SHOWN_CHARS`] characters, else
/// its first [`SHOWN_CHARS`] and `...` (`m.json: kkkk...: a text of 5000000 characters`).
pub fn clipped(name: &str) -> std::borrow::Cow<'_, str> {
    match name.char_indices().nth(SHOWN_CHARS) {
        None => std::borrow::Cow::Borrowed(name),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}...", &name[..end])),
    }
}

/// A string in double quotes, shown as text: only quotes, backslashes and control characters
/// are escaped, so `Chloé` reads as `"Chloé"` however its accent was typed.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast and fixed forever, so generated models
/// and the solver's perturbations do not change when a dependency does.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// An index drawn with probability proportional to `weights` (not all zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_named_by_its_smallest_member_whatever_the_order_of_unions() {
        let mut a = UnionFind::new(5);
        a.union(4, 3);
        a.union(3, 1);
        let mut b = UnionFind::new(5);
        b.union(1, 3);
        b.union(4, 1);
        for x in [1, 3, 4] {
            assert_eq!(a.find(x), 1);
            assert_eq!(b.find_const(x), 1);
        }
        assert_eq!(a.find(0), 0);
        assert_eq!(a.find(2), 2);
    }

    #[test]
    fn csv_quotes_only_fields_that_need_it() {
        let rows = vec![vec!["a,b".to_string(), "say \"hi\"".to_string(), "plain".to_string()]];
        assert_eq!(csv_bytes(&["x", "y", "z"], &rows, false), b"x,y,z\n\"a,b\",\"say \"\"hi\"\"\",plain\n");
        assert_eq!(&csv_bytes(&["x"], &[], true)[..], b"\xEF\xBB\xBFx\r\n");
    }
}
