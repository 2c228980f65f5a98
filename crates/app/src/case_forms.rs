//! A dropout-case move (状态变更) from what a user filled in — the command line's options or the
//! web page's form fields — checked for completeness before the domain checks the move itself.

use chrono::NaiveDate;
use zizhu_domain::dropout::{Move, NotDropoutReason, UserLevel, MOVES};

/// What a move may need; each is used by some moves only (see [`build_move`]).
#[derive(Debug, Clone, Default)]
pub struct MoveFields {
    /// 非辍学原因 (not_dropout): a [`NotDropoutReason`] key or its Chinese label.
    pub reason: Option<String>,
    /// 核查说明和证明材料 (not_dropout).
    pub evidence: Option<String>,
    /// 县外就读学校名称 (not_dropout) or 复学学校 (return, a school code).
    pub school: Option<String>,
    /// 复学日期 (return); the move's day when absent.
    pub date: Option<NaiveDate>,
    /// 送教教师, 送教频次, 送教内容 (home_teaching).
    pub teacher: Option<String>,
    pub frequency: Option<String>,
    pub content: Option<String>,
    /// 销号或重新核查的原因 (close, reopen).
    pub note: Option<String>,
}

/// Builds the move `key` of a user of `level` on day `on`. A missing field is refused here, named
/// as `field(name)` gives it (`--reason` on the command line, 「非辍学原因」 on a page); so is a
/// county-only move at another level.
pub fn build_move(
    key: &str,
    f: &MoveFields,
    on: NaiveDate,
    level: UserLevel,
    field: &dyn Fn(&'static str) -> String,
) -> Result<Move, String> {
    let need = |v: &Option<String>, name: &'static str, what: &str| -> Result<String, String> {
        match v.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Ok(t.to_string()),
            _ => Err(format!("请在{}填写{what}", field(name))),
        }
    };
    if matches!(key, "close" | "reopen") && level != UserLevel::County {
        return Err(format!(
            "销号和重新核查只能由县级用户操作（当前为{}）",
            level.zh()
        ));
    }
    Ok(match key {
        "verify" => Move::Verify,
        "confirm" => Move::Confirm,
        "persuade" => Move::Persuade,
        "not_dropout" => {
            let r = f.reason.as_deref().unwrap_or("").trim();
            let reason = NotDropoutReason::from_key(r)
                .or_else(|| NotDropoutReason::ALL.iter().copied().find(|x| x.zh() == r))
                .ok_or_else(|| {
                    let all: Vec<String> = NotDropoutReason::ALL
                        .iter()
                        .map(|x| format!("{}（{}）", x.key(), x.zh()))
                        .collect();
                    format!("请在{}选择非辍学原因：{}", field("reason"), all.join("、"))
                })?;
            let school = if reason == NotDropoutReason::StudyingElsewhere {
                Some(need(&f.school, "school", "就读学校名称")?)
            } else {
                f.school.clone().filter(|s| !s.trim().is_empty())
            };
            Move::NotDropout {
                reason,
                evidence: need(&f.evidence, "evidence", "核查说明和证明材料")?,
                school,
            }
        }
        "return" => Move::Return {
            school: need(&f.school, "school", "复学学校（学校标识码）")?,
            on: f.date.unwrap_or(on),
        },
        "home_teaching" => Move::HomeTeaching {
            teacher: need(&f.teacher, "teacher", "送教教师")?,
            frequency: need(&f.frequency, "frequency", "送教频次")?,
            content: need(&f.content, "content", "送教内容")?,
        },
        "close" => Move::Close {
            reason: need(&f.note, "note", "销号原因")?,
        },
        "reopen" => Move::Reopen {
            reason: need(&f.note, "note", "重新核查的原因")?,
        },
        other => {
            let all: Vec<String> = MOVES.iter().map(|(k, zh)| format!("{k}（{zh}）")).collect();
            return Err(format!(
                "未知的操作 {}；可用：{}",
                zizhu_domain::text::printable(other),
                all.join("、")
            ));
        }
    })
}

/// The note a move records beside its own fields: closing and reopening carry their reason in
/// the move itself, so the free note is not recorded twice.
pub fn move_note(mv: &Move, note: Option<&str>) -> String {
    match mv {
        Move::Close { .. } | Move::Reopen { .. } => String::new(),
        _ => note.unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 10, 20).unwrap_or_default()
    }

    #[test]
    fn missing_fields_are_named_as_the_caller_names_them() {
        let flag = |n: &'static str| format!("--{n}");
        let e = build_move(
            "return",
            &MoveFields::default(),
            day(),
            UserLevel::School,
            &flag,
        );
        assert_eq!(e, Err("请在--school填写复学学校（学校标识码）".into()));
        let f = MoveFields {
            reason: Some("在县外就读".into()),
            evidence: Some("转学证明".into()),
            ..MoveFields::default()
        };
        let e = build_move("not_dropout", &f, day(), UserLevel::School, &flag);
        assert_eq!(e, Err("请在--school填写就读学校名称".into()));
    }

    #[test]
    fn closing_is_for_the_county() {
        let f = MoveFields {
            note: Some("已复学满一学期".into()),
            ..MoveFields::default()
        };
        let any = |n: &'static str| n.to_string();
        assert!(build_move("close", &f, day(), UserLevel::Township, &any).is_err());
        assert_eq!(
            build_move("close", &f, day(), UserLevel::County, &any),
            Ok(Move::Close {
                reason: "已复学满一学期".into()
            })
        );
        // A return without a date returns on the move's day.
        let r = MoveFields {
            school: Some("2136000001".into()),
            ..MoveFields::default()
        };
        assert_eq!(
            build_move("return", &r, day(), UserLevel::School, &any),
            Ok(Move::Return {
                school: "2136000001".into(),
                on: day()
            })
        );
    }
}
