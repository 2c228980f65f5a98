//! Tests of ID number parsing: published vectors, Excel damage, normalisation, properties.
#![allow(clippy::panic)] // failing a test with a message is what tests do

use super::*;
use proptest::prelude::*;

/// Appends the MOD 11-2 check character (itself tested on the published vectors below).
fn with_check(first17: &str) -> String {
    format!("{first17}{}", check_char(first17).unwrap_or('?'))
}

fn ok(raw: &str) -> (IdNumber, Vec<IdWarning>) {
    match IdNumber::parse(raw) {
        Ok(r) => r,
        Err(e) => panic!("{raw:?} should parse, got {e}"),
    }
}

fn err(raw: &str) -> IdError {
    match IdNumber::parse(raw) {
        Ok((id, _)) => panic!("{raw:?} should fail, parsed as {}", id.as_str()),
        Err(e) => e,
    }
}

#[test]
fn check_char_vectors() {
    assert_eq!(check_char("11010519491231002"), Some('X'));
    assert_eq!(check_char("44030819990110151"), Some('2'));
    assert_eq!(check_char("91139819901231002"), Some('1'));
    assert_eq!(check_char("36042619910101007"), Some('1'));
    assert_eq!(check_char("3604261991010100"), None);
    assert_eq!(check_char("3604261991010100A"), None);
}

#[test]
fn valid_vectors() {
    let cases: &[(&str, IdKind, Vec<IdWarning>)] = &[
        ("11010519491231002X", IdKind::Resident, vec![]),
        ("440308199901101512", IdKind::Resident, vec![]),
        ("360426199101010071", IdKind::Resident, vec![]),
        (
            "34052419800101001X",
            IdKind::Resident,
            vec![IdWarning::UnknownAddressCode {
                code: "340524".into(),
            }],
        ),
        ("810000199408230021", IdKind::HkMacaoTaiwanPermit, vec![]),
        ("830000199201300022", IdKind::HkMacaoTaiwanPermit, vec![]),
        (
            "911398199012310021",
            IdKind::ForeignPermanentResident,
            vec![],
        ),
    ];
    for (raw, kind, warnings) in cases {
        let (id, w) = ok(raw);
        assert_eq!(id.as_str(), *raw);
        assert_eq!(id.kind(), *kind, "{raw}");
        assert_eq!(&w, warnings, "{raw}");
    }
}

#[test]
fn upgrade_from_15() {
    let (id, w) = ok("610104620927690");
    assert_eq!(id.as_str(), "610104196209276908");
    assert_eq!(id.kind(), IdKind::UpgradedFrom15);
    assert_eq!(
        w,
        vec![IdWarning::UpgradedFrom15 {
            original: "610104620927690".into()
        }]
    );
    assert_eq!(
        err("610104620932690"),
        IdError::InvalidBirthDate {
            digits: "19620932".into()
        }
    );
    assert_eq!(err("61010462092769X"), IdError::MisplacedX);
    // The upgraded number equals the 18-digit one read back from storage (equality by value).
    let stored = IdNumber::from_stored("610104196209276908");
    assert_eq!(stored.as_ref().map(IdNumber::kind), Ok(IdKind::Resident));
    assert_eq!(stored, Ok(id));
}

#[test]
fn invalid_vectors() {
    let cases: Vec<(String, IdError)> = vec![
        (
            "440308199901101513".into(),
            IdError::BadChecksum {
                expected: '2',
                actual: '3',
            },
        ),
        (
            "911398199012310022".into(),
            IdError::BadChecksum {
                expected: '1',
                actual: '2',
            },
        ),
        (
            "340524198001010013".into(),
            IdError::BadChecksum {
                expected: 'X',
                actual: '3',
            },
        ),
        ("".into(), IdError::Empty),
        (" \u{3000}\u{A0} ".into(), IdError::Empty),
        ("'".into(), IdError::Empty),
        ("36042619910101007".into(), IdError::WrongLength { len: 17 }),
        (
            "3604261991010100711".into(),
            IdError::WrongLength { len: 19 },
        ),
        ("36042619910101X071".into(), IdError::MisplacedX),
        (
            "36042619910101007A".into(),
            IdError::InvalidCharacter { ch: 'A' },
        ),
        (
            "360426-19910101-0071".into(),
            IdError::InvalidCharacter { ch: '-' },
        ),
        ("360426.5".into(), IdError::InvalidCharacter { ch: '.' }),
        (
            with_check("00042619910101007"),
            IdError::UnknownProvince { code: "00".into() },
        ),
        (
            with_check("71042619910101007"),
            IdError::UnknownProvince { code: "71".into() },
        ),
        (
            with_check("99939819901231002"),
            IdError::UnknownProvince { code: "99".into() },
        ),
        (
            with_check("91199919901231002"),
            IdError::InvalidNationality { code: "999".into() },
        ),
        (
            with_check("91100019901231002"),
            IdError::InvalidNationality { code: "000".into() },
        ),
        (
            with_check("91139819900231002"),
            IdError::InvalidBirthDate {
                digits: "19900231".into(),
            },
        ),
        (
            with_check("36042619990229007"),
            IdError::InvalidBirthDate {
                digits: "19990229".into(),
            },
        ),
        (
            with_check("81000019990229002"),
            IdError::InvalidBirthDate {
                digits: "19990229".into(),
            },
        ),
        (
            with_check("36042618991231007"),
            IdError::BirthYearOutOfRange { year: 1899 },
        ),
        (
            with_check("36042621010101007"),
            IdError::BirthYearOutOfRange { year: 2101 },
        ),
    ];
    for (raw, want) in &cases {
        assert_eq!(&err(raw), want, "{raw}");
    }
}

#[test]
fn dates_at_the_edges() {
    assert!(IdNumber::parse(&with_check("36042620000229007")).is_ok());
    assert!(IdNumber::parse(&with_check("36042619000101007")).is_ok());
    assert!(IdNumber::parse(&with_check("36042621001231007")).is_ok());
}

#[test]
fn address_code_warnings() {
    // A code in no table: warning, not error.
    let (_, w) = ok(&with_check("36990019910101007"));
    assert_eq!(
        w,
        vec![IdWarning::UnknownAddressCode {
            code: "369900".into()
        }]
    );
    // Prefecture-level and province-level codes appear on genuine cards.
    assert_eq!(ok(&with_check("36070019910101007")).1, vec![]);
    assert_eq!(ok(&with_check("36000019910101007")).1, vec![]);
}

#[test]
fn excel_damage() {
    for raw in [
        "3.60731E+17",
        "3.60731e17",
        "3.60731E17",
        "4E+17",
        " 3.60731E+17 ",
    ] {
        assert!(
            matches!(err(raw), IdError::ScientificNotation { .. }),
            "{raw}"
        );
    }
    assert_eq!(
        err("3.60731E+17").to_string(),
        "身份证号被 Excel 转成了科学计数法（3.60731E+17），后几位已丢失，请把该列设为文本后重新导出"
    );
    let e = err("360426199101010071.0");
    assert_eq!(
        e,
        IdError::StoredAsNumber {
            shown: "360426199101010071.0".into()
        }
    );
    assert!(e
        .to_string()
        .starts_with("身份证号疑似被 Excel 当作数字保存，超过15位的数字末位已变为0"));
    // 15 significant digits kept, the rest zeros; the check (4) fails.
    assert!(matches!(
        err("360426199101010000"),
        IdError::StoredAsNumber { .. }
    ));
    // A 15-digit number written as a float survives.
    assert_eq!(ok("610104620927690.0").0.as_str(), "610104196209276908");
}

#[test]
fn excel_numbers() {
    assert_eq!(
        IdNumber::from_excel_number(360_426_199_101_010_071.0),
        Err(IdError::StoredAsNumber {
            shown: "360426199101010000".into()
        })
    );
    assert!(matches!(
        IdNumber::from_excel_number(1e16),
        Err(IdError::StoredAsNumber { .. })
    ));
    let (id, w) =
        IdNumber::from_excel_number(610_104_620_927_690.0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(id.as_str(), "610104196209276908");
    assert_eq!(w.len(), 1);
    for bad in [1.5, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                IdNumber::from_excel_number(bad),
                Err(IdError::NotAnInteger { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        IdNumber::from_excel_number(12345.0),
        Err(IdError::WrongLength { len: 5 })
    );
}

#[test]
fn normalisation() {
    let want = "360426199101010071";
    for raw in [
        "３６０４２６１９９１０１０１００７１",
        "360426199101010071\u{3000}",
        "'360426199101010071",
        "’360426199101010071",
        "‘360426199101010071",
        " 360426 19910101 0071 ",
        "\u{A0}360426199101010071\u{A0}",
        "\t360426199101010071\t",
        "\u{200B}360426\u{200B}199101010071\u{FEFF}",
    ] {
        assert_eq!(ok(raw).0.as_str(), want, "{raw:?}");
    }
    for raw in [
        "11010519491231002x",
        "11010519491231002Ｘ",
        "11010519491231002ｘ",
    ] {
        assert_eq!(ok(raw).0.as_str(), "11010519491231002X", "{raw:?}");
    }
}

#[test]
fn accessors() {
    let (id, _) = ok("36073120100101091X");
    assert_eq!(id.masked(), "360731**********1X");
    assert_eq!(id.address_code(), "360731");
    assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(2010, 1, 1));
    assert_eq!(id.sex(), Some(Sex::Male)); // 17th digit 1
    let (id, _) = ok("11010519491231002X");
    assert_eq!(id.sex(), Some(Sex::Female)); // 17th digit 2
    assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
    let (id, _) = ok("911398199012310021");
    assert_eq!(id.address_code(), "911398");
    assert_eq!(id.sex(), Some(Sex::Female));
    assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1990, 12, 31));
    assert_eq!(id.masked(), "911398**********21");
}

#[test]
fn from_stored_is_cheap_but_checks_format() {
    // No province or date lookup…
    let odd = with_check("00042619910101007");
    assert_eq!(
        IdNumber::from_stored(&odd).map(|i| i.kind()),
        Ok(IdKind::Resident)
    );
    assert_eq!(
        IdNumber::from_stored("810000199408230021").map(|i| i.kind()),
        Ok(IdKind::HkMacaoTaiwanPermit)
    );
    assert_eq!(
        IdNumber::from_stored("911398199012310021").map(|i| i.kind()),
        Ok(IdKind::ForeignPermanentResident)
    );
    // …but a corrupt value is an error.
    assert_eq!(IdNumber::from_stored(""), Err(IdError::Empty));
    assert_eq!(
        IdNumber::from_stored("440308199901101513"),
        Err(IdError::BadChecksum {
            expected: '2',
            actual: '3'
        })
    );
    assert_eq!(
        IdNumber::from_stored("11010519491231002x"),
        Err(IdError::InvalidCharacter { ch: 'x' })
    );
    assert_eq!(
        IdNumber::from_stored("610104620927690"),
        Err(IdError::WrongLength { len: 15 })
    );
}

#[test]
fn serde_as_plain_string() {
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;
    let de: StrDeserializer<'_, DeError> = "11010519491231002X".into_deserializer();
    let id = IdNumber::deserialize(de).map(|i| i.as_str().to_string());
    assert_eq!(id.as_deref(), Ok("11010519491231002X"));
    let de: StrDeserializer<'_, DeError> = "440308199901101513".into_deserializer();
    let e = IdNumber::deserialize(de)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        e,
        Err("身份证件号校验位错误：校验位应为 2，实为 3，请核对各位数字".to_string())
    );
}

#[test]
fn codes_and_messages() {
    let all = [
        IdError::Empty,
        IdError::ScientificNotation { shown: "x".into() },
        IdError::StoredAsNumber { shown: "x".into() },
        IdError::InvalidCharacter { ch: 'A' },
        IdError::WrongLength { len: 3 },
        IdError::MisplacedX,
        IdError::UnknownProvince { code: "00".into() },
        IdError::InvalidBirthDate {
            digits: "19990229".into(),
        },
        IdError::BirthYearOutOfRange { year: 1899 },
        IdError::BadChecksum {
            expected: 'X',
            actual: '3',
        },
        IdError::InvalidNationality { code: "999".into() },
        IdError::NotAnInteger {
            shown: "1.5".into(),
        },
    ];
    let codes: Vec<&str> = all.iter().map(IdError::code).collect();
    let want: Vec<String> = (1..=12).map(|n| format!("E-ID-{n:03}")).collect();
    assert_eq!(codes, want);
    assert!(all[9].to_string().contains("校验位应为 X，实为 3"));
    assert_eq!(
        IdWarning::UpgradedFrom15 {
            original: "610104620927690".into()
        }
        .to_string(),
        "15位旧身份证号 610104620927690 已按 GB 11643-1999 升级为18位"
    );
    assert!(IdWarning::UnknownAddressCode {
        code: "340524".into()
    }
    .to_string()
    .contains("340524"));
    assert_eq!(
        IdWarning::UnknownAddressCode {
            code: String::new()
        }
        .code(),
        "W-ID-002"
    );
}

/// A valid resident ID: a current county, a birth date 1900-01-01..=2100-12-31, any sequence.
fn valid_id() -> impl Strategy<Value = String> {
    let counties = divisions::county_codes();
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
    (prop::sample::select(counties), 0u64..73_414, 0u32..1000).prop_map(
        move |(county, days, seq)| {
            let date = epoch + chrono::Days::new(days);
            with_check(&format!("{county}{}{seq:03}", date.format("%Y%m%d")))
        },
    )
}

proptest! {
    #[test]
    fn generated_ids_parse(id in valid_id()) {
        let (parsed, warnings) = IdNumber::parse(&id).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.as_str(), id.as_str());
        prop_assert_eq!(parsed.kind(), IdKind::Resident);
        prop_assert!(warnings.is_empty());
        let stored = IdNumber::from_stored(parsed.as_str());
        prop_assert_eq!(stored.as_ref(), Ok(&parsed));
        prop_assert_eq!(stored.map(|s| s.kind()), Ok(IdKind::Resident));
    }

    #[test]
    fn one_changed_digit_fails(id in valid_id(), pos in 0usize..18, digit in 0u8..10) {
        let mut bytes = id.clone().into_bytes();
        let new = b'0' + digit;
        prop_assume!(bytes.get(pos) != Some(&new));
        if let Some(b) = bytes.get_mut(pos) {
            *b = new;
        }
        let changed = String::from_utf8(bytes).unwrap_or_default();
        let result = IdNumber::parse(&changed);
        prop_assert!(
            matches!(
                result,
                Err(IdError::BadChecksum { .. } | IdError::StoredAsNumber { .. })
            ),
            "{} → {:?}", changed, result
        );
    }

    #[test]
    fn noise_does_not_matter(
        id in valid_id(),
        noise in prop::collection::vec((0usize..19, prop::sample::select(
            vec![" ", "\u{3000}", "\u{A0}", "\t", "\u{200B}", "\u{FEFF}"])), 0..4),
        full_width in any::<bool>(),
    ) {
        let mut chars: Vec<String> = id
            .chars()
            .map(|c| {
                if full_width {
                    char::from_u32(u32::from(c) + 0xFEE0).map_or(String::new(), String::from)
                } else {
                    c.to_string()
                }
            })
            .collect();
        for (at, s) in noise {
            chars.insert(at.min(chars.len()), s.to_string());
        }
        let noisy: String = format!("'{}", chars.concat());
        let parsed = IdNumber::parse(&noisy).map(|(i, _)| i.as_str().to_string());
        prop_assert_eq!(parsed, Ok(id));
    }

    #[test]
    fn never_panics(s in any::<String>()) {
        let _ = IdNumber::parse(&s);
        let _ = IdNumber::from_stored(&s);
    }

    #[test]
    fn never_panics_on_numbers(f in any::<f64>()) {
        let _ = IdNumber::from_excel_number(f);
    }
}
