//! Text normalisation for spreadsheet cells (单元格文本清洗) and person names (姓名规范化).
//!
//! County files arrive typed with Chinese IMEs, exported from Excel/WPS and re-saved in other
//! encodings, so a cell can carry full-width ASCII (`３６０`), ideographic spaces (U+3000), NBSP,
//! zero-width characters and Excel's leading `'` text marker. [`clean_cell`] removes that noise
//! without touching Han characters (no NFKC: it would rewrite CJK compatibility ideographs).

use std::borrow::Cow;
use std::fmt;

/// Why a name was rejected (姓名错误). `Display` is the Chinese message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// The name is empty after cleaning.
    EmptyName,
    /// The name contains U+FFFD: the file was decoded with the wrong encoding.
    Undecodable,
    /// The name contains a digit (ASCII, full-width or other numeric character).
    DigitInName { ch: char },
    /// The name contains a control character (line break, tab after cleaning, NUL …), a
    /// bidirectional override (U+202A–202E, U+2066–2069) or a symbol no name has (emoji, `+`, `=` …).
    ControlInName { code_point: u32 },
    /// The name is longer than [`MAX_NAME_CHARS`] characters.
    NameTooLong { chars: usize },
}

/// The longest name accepted, in characters (transliterated minority names run to about 20).
pub const MAX_NAME_CHARS: usize = 50;

/// Characters a personal name may contain besides letters: the middle dot and its variants,
/// spaces, the hyphen and apostrophe of Latin names, and 〇.
fn allowed_in_name(ch: char) -> bool {
    ch.is_alphabetic()
        || ch.is_whitespace()
        || is_dot_variant(ch)
        || matches!(ch, '·' | '.' | '-' | '\'' | '〇')
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::EmptyName => write!(f, "姓名为空"),
            TextError::Undecodable => {
                write!(
                    f,
                    "编码错误：姓名含无法识别的字符，文件可能不是所标识的编码"
                )
            }
            TextError::DigitInName { ch } => write!(f, "姓名含数字“{ch}”"),
            TextError::ControlInName { code_point } => {
                write!(
                    f,
                    "姓名含不允许的字符（U+{code_point:04X}，如换行符、方向控制符或符号）"
                )
            }
            TextError::NameTooLong { chars } => {
                write!(f, "姓名过长（{chars}个字，最多{MAX_NAME_CHARS}个）")
            }
        }
    }
}

impl std::error::Error for TextError {}

/// Zero-width and other invisible format characters that are removed everywhere in a cell:
/// ZWSP U+200B, ZWNJ U+200C, ZWJ U+200D, word joiner U+2060, BOM / ZWNBSP U+FEFF,
/// soft hyphen U+00AD, Mongolian vowel separator U+180E.
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Is `c` a line break (kept inside a cell by [`clean_cell`])?
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Maps one character: the full-width ASCII block U+FF01–U+FF5E to ASCII U+0021–U+007E,
/// and every horizontal Unicode space (U+3000, NBSP, tab, U+2000–U+200A, U+202F …) to `' '`.
fn map_cell_char(c: char) -> char {
    let cp = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&cp) {
        return char::from_u32(cp - 0xFEE0).unwrap_or(c);
    }
    if c.is_whitespace() && !is_line_break(c) {
        return ' ';
    }
    c
}

/// Cleans one spreadsheet cell (单元格清洗):
/// - full-width ASCII forms U+FF01–U+FF5E become ASCII (`３６０` → `360`, `Ｘ` → `X`, `（` → `(`);
/// - U+3000, NBSP, tabs and other horizontal Unicode spaces become `' '`;
/// - zero-width characters ([`is_zero_width`]) are removed wherever they are;
/// - leading and trailing whitespace is trimmed;
/// - one leading `'` (Excel's text marker) is removed, and the rest trimmed again.
///
/// Han characters are never changed (no NFKC); inner spaces and line breaks are kept
/// (callers that want them gone, like the ID parser, remove them).
pub fn clean_cell(s: &str) -> String {
    clean_cell_cow(s).into_owned()
}

/// [`clean_cell`] without allocating when nothing but trimming is needed (the usual cell): the
/// result borrows from `s` unless a character had to be mapped or removed.
pub fn clean_cell_cow(s: &str) -> Cow<'_, str> {
    fn trimmed(t: &str) -> &str {
        let t = t.trim();
        t.strip_prefix('\'').map_or(t, str::trim)
    }
    let plain = |c: char| {
        !(is_zero_width(c) || ('\u{FF01}'..='\u{FF5E}').contains(&c))
            && (c == ' ' || is_line_break(c) || !c.is_whitespace())
    };
    if s.chars().all(plain) {
        return Cow::Borrowed(trimmed(s));
    }
    let mapped: String = s
        .chars()
        .filter(|c| !is_zero_width(*c))
        .map(map_cell_char)
        .collect();
    Cow::Owned(trimmed(&mapped).to_string())
}

/// Is `c` a CJK ideograph (Han character, 汉字) of any block: the URO U+4E00–U+9FFF,
/// Extension A U+3400–U+4DBF, compatibility ideographs U+F900–U+FAFF, the supplementary
/// planes 2 and 3 (Extensions B–I and compatibility supplement), plus `〇` U+3007 and `々` U+3005.
pub fn is_cjk_ideograph(c: char) -> bool {
    matches!(u32::from(c),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF | 0x3005 | 0x3007)
}

/// Middle-dot variants typed in minority names instead of `·` U+00B7 (always mapped).
fn is_dot_variant(c: char) -> bool {
    matches!(c, '·' | '•' | '‧' | '・' | '･' | '∙' | '⋅' | '\u{0387}')
}

/// The separator of minority and transliterated names on ID cards (间隔号), U+00B7.
pub const NAME_DOT: char = '\u{00B7}';

/// Normalises a person's name (姓名) so the same person matches across lists.
///
/// - Applies [`clean_cell`] first (so `．` U+FF0E becomes `.`).
/// - Keeps every Han character exactly, including CJK Extension A (`㙦`) and B (`𥙿`).
/// - Maps the middle-dot variants `•` U+2022, `‧` U+2027, `・` U+30FB, `･` U+FF65, `∙`, `⋅`
///   and `·` to `·` U+00B7; an ASCII `.` (also from `．`) becomes `·` when it touches a Han
///   character (`古丽米热.艾比布力`), and stays `.` inside a Latin name (`JOHN F. SMITH`).
/// - Removes spaces typed to pad a Han name (`王　芳`, `王 芳` → `王芳`) and spaces around `·`;
///   a run of spaces between two non-Han characters (a foreigner's Latin name) becomes one space.
///
/// # Errors
/// [`TextError::EmptyName`] if nothing is left; [`TextError::Undecodable`] if it contains
/// U+FFFD; [`TextError::DigitInName`] for any digit (`〇` U+3007 is a Han character and allowed);
/// [`TextError::ControlInName`] for control characters such as a line break.
pub fn normalize_name(s: &str) -> Result<String, TextError> {
    let cleaned = clean_cell(s);
    if cleaned.is_empty() {
        return Err(TextError::EmptyName);
    }
    for ch in cleaned.chars() {
        if ch == '\u{FFFD}' {
            return Err(TextError::Undecodable);
        }
        if ch.is_control() {
            return Err(TextError::ControlInName {
                code_point: u32::from(ch),
            });
        }
        if ch.is_numeric() && ch != '〇' {
            return Err(TextError::DigitInName { ch });
        }
        if !allowed_in_name(ch) {
            return Err(TextError::ControlInName {
                code_point: u32::from(ch),
            });
        }
    }
    let n = cleaned.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(TextError::NameTooLong { chars: n });
    }
    let chars: Vec<char> = cleaned.chars().collect();
    // Pass 1: dots.
    let mut dotted: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let is_dot = if is_dot_variant(c) {
            true
        } else if c == '.' {
            let prev = chars.iter().take(i).rev().find(|c| !c.is_whitespace());
            let next = chars.iter().skip(i + 1).find(|c| !c.is_whitespace());
            prev.is_some_and(|&p| is_cjk_ideograph(p)) || next.is_some_and(|&n| is_cjk_ideograph(n))
        } else {
            false
        };
        dotted.push(if is_dot { NAME_DOT } else { c });
    }
    // Pass 2: spaces.
    let mut out = String::with_capacity(cleaned.len());
    let mut pending_space = false;
    let mut prev: Option<char> = None;
    for c in dotted {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let keep = prev.is_some_and(|p| !is_cjk_ideograph(p) && p != NAME_DOT)
                && !is_cjk_ideograph(c)
                && c != NAME_DOT;
            if keep {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
        prev = Some(c);
    }
    if out.is_empty() {
        return Err(TextError::EmptyName);
    }
    Ok(out)
}

/// A value from a user's file, safe to print on a terminal or write to a log: control characters (escape
/// sequences could clear the screen or retitle the window) are shown as `\u{..}`.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                format!("\\u{{{:04X}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Is the text empty once spaces and invisible zero-width characters (U+200B–U+200D, U+2060,
/// U+FEFF) are taken away? A required field filled with those is still empty.
/// Checks text a user typed (a note, a reason): at most `max` characters, and no control
/// characters or direction overrides — they would reach every terminal, page and spreadsheet
/// that shows it (lists refuse them at import too). The refusal names `what`, in Chinese.
pub fn check_typed(what: &str, v: &str, max: usize) -> Result<(), String> {
    if v.chars().nth(max).is_some() {
        return Err(format!("{what}太长（最多 {max} 个字）"));
    }
    // Also the invisible ones: zero-width and direction marks, line and paragraph separators,
    // the byte-order mark and the soft hyphen (a note that looks empty or reads backwards).
    let bad = v.chars().find(|c| {
        c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(c)
            || ('\u{2066}'..='\u{2069}').contains(c)
            || ('\u{200B}'..='\u{200F}').contains(c)
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
    });
    match bad {
        Some(c) => Err(format!(
            "{what}中含有不可见的控制字符（U+{:04X}），请删去后再提交",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// [`check_typed`] for text of several lines (what a family reported, typed in a text box): line
/// breaks (`\n`, or `\r\n` as browsers send them) are allowed, nothing else invisible.
pub fn check_typed_lines(what: &str, v: &str, max: usize) -> Result<(), String> {
    if v.chars().nth(max).is_some() {
        return Err(format!("{what}太长（最多 {max} 个字）"));
    }
    v.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .try_for_each(|line| check_typed(what, line, max))
}

pub fn is_blank(v: &str) -> bool {
    v.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cell_borrows_only_when_nothing_is_mapped() {
        for plain in ["张三", " 在读 ", "'G360731", "a\nb", "360731200001011234"] {
            assert!(
                matches!(clean_cell_cow(plain), Cow::Borrowed(_)),
                "{plain:?}"
            );
        }
        // Each of these needs a character mapped or removed, the result is the same as clean_cell.
        for (raw, want) in [
            ("a\tb", "a b"),
            ("是\u{00A0}", "是"),
            ("\u{3000}王\u{3000}芳", "王 芳"),
            ("３６０", "360"),
            ("在\u{200B}读", "在读"),
            ("\u{FEFF}'x", "x"),
        ] {
            let got = clean_cell_cow(raw);
            assert!(matches!(got, Cow::Owned(_)), "{raw:?}");
            assert_eq!(got, want);
            assert_eq!(clean_cell(raw), want);
        }
    }

    #[test]
    fn clean_cell_cases() {
        let cases: &[(&str, &str)] = &[
            ("３６０４２６", "360426"),
            ("  abc  ", "abc"),
            ("\u{3000}王芳\u{3000}", "王芳"),
            ("\u{A0}x\u{A0}", "x"),
            ("\u{200B}123\u{FEFF}", "123"),
            ("12\u{200B}3", "123"),
            ("\t'360426\t", "360426"),
            ("'  360426", "360426"),
            ("''a", "'a"),
            ("＇abc", "abc"),
            ("Ｘ", "X"),
            ("（区）", "(区)"),
            ("a\u{3000}b", "a b"),
            ("a\tb", "a b"),
            ("第一行\n第二行", "第一行\n第二行"),
            ("", ""),
            ("   ", ""),
            ("'", ""),
            // CJK compatibility ideograph U+F900 must survive (NFKC would turn it into U+8C48).
            ("\u{F900}", "\u{F900}"),
            ("㙦𥙿", "㙦𥙿"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_cell(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn normalize_name_ok() {
        let cases: &[(&str, &str)] = &[
            ("王芳", "王芳"),
            ("王　芳", "王芳"),
            ("王 芳", "王芳"),
            ("  王  芳 ", "王芳"),
            ("麦㙦", "麦㙦"),
            ("森山𥙿", "森山𥙿"),
            ("\u{F900}", "\u{F900}"),
            ("古丽米热•艾比布力", "古丽米热·艾比布力"),
            ("古丽米热．艾比布力", "古丽米热·艾比布力"),
            ("古丽米热‧艾比布力", "古丽米热·艾比布力"),
            ("古丽米热・艾比布力", "古丽米热·艾比布力"),
            ("古丽米热･艾比布力", "古丽米热·艾比布力"),
            ("古丽米热.艾比布力", "古丽米热·艾比布力"),
            ("古丽米热·艾比布力", "古丽米热·艾比布力"),
            ("古丽米热 · 艾比布力", "古丽米热·艾比布力"),
            ("李〇", "李〇"),
            ("JOHN  SMITH", "JOHN SMITH"),
            ("John Smith", "John Smith"),
            ("JOHN F. SMITH", "JOHN F. SMITH"),
            ("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),
            ("'张三", "张三"),
            ("张\u{200B}三", "张三"),
        ];
        for (input, want) in cases {
            assert_eq!(
                normalize_name(input).as_deref(),
                Ok(*want),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn normalize_name_errors() {
        assert_eq!(normalize_name(""), Err(TextError::EmptyName));
        assert_eq!(normalize_name(" \u{3000} "), Err(TextError::EmptyName));
        assert_eq!(normalize_name("'"), Err(TextError::EmptyName));
        assert_eq!(normalize_name("张\u{FFFD}"), Err(TextError::Undecodable));
        assert_eq!(
            normalize_name("张三1"),
            Err(TextError::DigitInName { ch: '1' })
        );
        assert_eq!(
            normalize_name("张三２"),
            Err(TextError::DigitInName { ch: '2' })
        );
        assert_eq!(
            normalize_name("张\n三"),
            Err(TextError::ControlInName { code_point: 0x0A })
        );
        assert_eq!(
            normalize_name("张\u{0}三"),
            Err(TextError::ControlInName { code_point: 0 })
        );
    }

    #[test]
    fn bidi_overrides_symbols_and_overlong_names_are_rejected() {
        assert!(matches!(
            normalize_name("张\u{202E}三"),
            Err(TextError::ControlInName { code_point: 0x202E })
        ));
        assert!(matches!(
            normalize_name("张三😀"),
            Err(TextError::ControlInName { .. })
        ));
        assert!(matches!(
            normalize_name("=cmd|演"),
            Err(TextError::ControlInName { .. })
        ));
        assert!(matches!(
            normalize_name(&"演".repeat(51)),
            Err(TextError::NameTooLong { chars: 51 })
        ));
        assert_eq!(
            normalize_name(&"演".repeat(50)).map(|s| s.chars().count()),
            Ok(50)
        );
        assert_eq!(
            normalize_name("Mary-Jane O'Neil").as_deref(),
            Ok("Mary-Jane O'Neil")
        );
        assert_eq!(normalize_name("森山𥙿").as_deref(), Ok("森山𥙿"));
    }

    #[test]
    fn error_messages_are_chinese() {
        assert_eq!(
            TextError::Undecodable.to_string(),
            "编码错误：姓名含无法识别的字符，文件可能不是所标识的编码"
        );
        assert_eq!(TextError::EmptyName.to_string(), "姓名为空");
        assert_eq!(
            TextError::DigitInName { ch: '1' }.to_string(),
            "姓名含数字“1”"
        );
        assert_eq!(
            TextError::ControlInName { code_point: 10 }.to_string(),
            "姓名含不允许的字符（U+000A，如换行符、方向控制符或符号）"
        );
    }
}

#[cfg(test)]
mod typed_tests {
    use super::check_typed;

    /// Typed text refuses what cannot be seen (review: a note with U+200F or U+FEFF went into
    /// the recheck workbook), and keeps ordinary Chinese text.
    #[test]
    fn typed_text_refuses_invisible_characters() {
        assert!(check_typed("说明", "已联系家长，入读贡江镇演示小学", 500).is_ok());
        for bad in [
            "a\u{200F}b",
            "a\u{200B}b",
            "a\u{2028}b",
            "\u{FEFF}a",
            "a\u{AD}b",
            "a\u{202E}b",
            "a\nb",
        ] {
            assert!(check_typed("说明", bad, 500).is_err(), "{bad:?}");
        }
        assert!(check_typed("说明", &"字".repeat(501), 500).is_err());
    }
}

#[cfg(test)]
mod lines_tests {
    #[test]
    fn several_lines_pass_and_a_control_character_inside_one_does_not() {
        assert!(super::check_typed_lines("反映内容", "第一行\r\n第二行\n第三行", 100).is_ok());
        assert!(super::check_typed_lines("反映内容", "第一行\u{7}", 100).is_err());
        assert!(super::check_typed_lines("反映内容", "a\rb", 100).is_err());
        assert!(super::check_typed_lines("反映内容", "一二三", 2).is_err());
    }
}
