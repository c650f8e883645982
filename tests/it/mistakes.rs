//! Every mistake of the sheets in one run: a missing column is one error and the other columns
//! are still checked; the same mistake in many rows is one line listing the rows; a misspelt
//! header gets a "did you mean".

use caseload::sheets::read::parse_sheets;

fn problems(w: &str, c: &str) -> Vec<String> {
    let e = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", c.as_bytes()), None).unwrap_err();
    match e {
        caseload::error::Error::Inputs { errors, more } => {
            assert_eq!(more, 0);
            errors.iter().map(|e| e.to_string()).collect()
        }
        e => vec![e.to_string()],
    }
}

#[test]
fn a_missing_column_is_one_error_and_the_other_columns_are_still_checked() {
    let w = "id,Rol,team,agency\nW1,social worker,North,maybe\nW2,social worker,North,no\n";
    let c = "id,type,weight\nC1,CPX,1\nC2,CPX,heavy\nC3,CPX,1\nC4,LAC,1\nC5,Adoption,1\n";
    let p = problems(w, c);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    // The misspelt header: named with its suggestion, and the missing column once.
    assert_eq!(has("unknown column \"Rol\" (did you mean \"role\"?)"), 1, "{p:#?}");
    assert_eq!(has("workers.csv: row 1: no column \"role\""), 1, "{p:#?}");
    assert_eq!(has("cases.csv: row 1: no column \"team\""), 1, "{p:#?}");
    assert_eq!(has("column role"), 0, "no row is blamed for the missing role column: {p:#?}");
    assert_eq!(has("column team"), 0, "no row is blamed for the missing team column: {p:#?}");
    // The other columns are still read.
    assert_eq!(has("workers.csv: row 2, column agency: \"maybe\" is not true or false"), 1, "{p:#?}");
    assert_eq!(has("cases.csv: row 3, column weight: \"heavy\" is not a number"), 1, "{p:#?}");
    // One mistake in three rows is one line listing them, with the suggestion.
    assert_eq!(
        has("cases.csv: rows 2, 3 and 4, column type: unknown value \"CPX\" (did you mean \"CP\""),
        1,
        "{p:#?}"
    );
    assert_eq!(has("cases.csv: row 6, column type: unknown value \"Adoption\";"), 1, "{p:#?}");
    assert_eq!(p.len(), 7, "{p:#?}");
}

#[test]
fn the_same_reference_mistake_in_many_rows_is_one_line_after_validation() {
    let w = "id,role,team\nW1,SW,North\n";
    let mut c = String::from("id,type,team,current_worker\n");
    for i in 0..20 {
        c.push_str(&format!("C{i:02},CIN,North,W9\n"));
    }
    let s = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", c.as_bytes()), None).unwrap();
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("cases.csv: rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 8 more, column current_worker: no worker \"W9\""),
        "{e}"
    );
}
