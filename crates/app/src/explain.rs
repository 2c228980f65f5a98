//! `zizhu explain ID --term …`: for one person and term, in Chinese, every program with why it was
//! granted or not — the clause, each condition with the value that decided it, the lists (import
//! batch and row) behind each category — and whether it agrees with the stored roster.

use crate::matching::{admission_facts, student_facts, ListIndex};
use crate::AppError;
use std::fmt::Write;
use zizhu_domain::{Difficulty, IdNumber, ListKind, Term};
use zizhu_policy::{FactInput, Policy, Subject, TermPolicy};
use zizhu_store::Db;

/// Builds the explanation text. `full_id` shows the whole ID number (the caller audits that).
/// Compiles the policy for `term` first; a long-running caller that explains many people
/// compiles once and calls [`explain_compiled`].
pub async fn explain(
    db: &Db,
    policy: &Policy,
    term: Term,
    raw_id: &str,
    full_id: bool,
) -> Result<String, AppError> {
    let tp = policy.compile(term)?;
    explain_compiled(db, policy, &tp, raw_id, full_id).await
}

/// [`explain`] with the policy already compiled for the term (`tp.term`).
pub async fn explain_compiled(
    db: &Db,
    policy: &Policy,
    tp: &TermPolicy,
    raw_id: &str,
    full_id: bool,
) -> Result<String, AppError> {
    let term = tp.term;
    let (id, _) =
        IdNumber::parse(raw_id).map_err(|e| AppError::Other(format!("身份证件号无效：{e}")))?;
    let shown = if full_id {
        id.as_str().to_string()
    } else {
        id.masked()
    };
    // One read of everything stored about the person (one query on SQLite).
    let person = db.person(term, id.as_str()).await?;
    let (lists, students, schools, stored) = (
        person.lists,
        person.students,
        person.schools,
        person.entitlements,
    );
    let mut dibao = Vec::new();
    let mut tekun = Vec::new();
    let mut urban = Vec::new();
    for (kind, row) in lists.assistance {
        match kind {
            ListKind::Dibao => dibao.push(row),
            ListKind::Tekun => tekun.push(row),
            _ => urban.push(row),
        }
    }
    let index = ListIndex::build(
        lists.poor_members,
        dibao,
        tekun,
        urban,
        lists.disabled,
        tp.reference_date,
    );
    let import_name = |iid: i64| {
        person
            .import_names
            .iter()
            .find(|(id, _)| *id == iid)
            .map(|(id, file)| format!("第{id}批导入《{file}》"))
            .unwrap_or_default()
    };
    let mut s = String::new();
    let _ = writeln!(s, "{} 资助计算说明", term.label_zh());
    let _ = writeln!(
        s,
        "政策：《{}》 版本 {}；基准日 {}（{}）",
        policy.file.policy.name,
        policy.file.policy.version,
        tp.reference_date,
        tp.payable_reference
    );
    let _ = writeln!(s, "身份证件号：{shown}");
    let once_mask = tp
        .programs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.once_per_person && person.earlier_programs.contains(&p.id))
        .fold(0u32, |m, (i, _)| m | (1 << i));
    if students.is_empty() {
        let _ = writeln!(s, "\n本学期学籍中没有此人。");
        // Still say which lists the person is on: for a school-age child that is a dropout lead.
        let cats = index.categories(id.as_str(), Difficulty::NotDifficult, (0, 0));
        write_categories(&mut s, &cats, &import_name, full_id, NOT_ENROLLED);
    }
    for st in &students {
        let r = &st.record;
        let school = schools.iter().find(|x| x.code == r.school_code);
        let _ = writeln!(
            s,
            "\n学籍：{} 学籍号 {}，{}（{}）{}年级 {}，{}，{}，学籍状态 {}（{} 第{}行）",
            r.name,
            if full_id {
                r.student_no.clone()
            } else {
                zizhu_domain::ids::mask_student_no(&r.student_no)
            },
            school.map(|x| x.name.as_str()).unwrap_or("未知学校"),
            r.school_code,
            r.grade,
            r.class,
            if r.boarding { "寄宿" } else { "走读" },
            r.hukou.map(|h| h.zh()).unwrap_or("户口性质未知"),
            r.status.zh(),
            import_name(st.import_id),
            st.row_no
        );
        let cats = index.categories(id.as_str(), r.difficulty, (st.import_id, st.row_no));
        write_categories(&mut s, &cats, &import_name, full_id, RECOGNIZED_NONE);
        let fi = student_facts(r, school, &cats, index.poor_exited(id.as_str()));
        write_verdicts(&mut s, tp, Subject::Student, fi, once_mask);
    }
    let admissions: Vec<_> = lists
        .admissions
        .iter()
        .filter(|a| a.record.year == term.year)
        .collect();
    for a in admissions {
        // Same rule as compute: the school's recognition of the newest registry record up to this term.
        let latest = db
            .latest_student_records(&[id.as_str().to_string()], term)
            .await?;
        let last = latest.get(id.as_str());
        let difficulty = last
            .map(|x| x.record.difficulty)
            .unwrap_or(Difficulty::NotDifficult);
        let registry = last.map(|x| (x.import_id, x.row_no)).unwrap_or((0, 0));
        let _ = writeln!(
            s,
            "\n高考录取：{} 考生号 {}，{}（{}），{}年（{} 第{}行）",
            a.record.name,
            a.record.exam_no,
            a.record.college,
            a.record.college_province,
            a.record.year,
            import_name(a.import_id),
            a.row_no
        );
        let cats = index.categories(id.as_str(), difficulty, registry);
        let none = if last.is_some() {
            RECOGNIZED_NONE
        } else {
            NO_REGISTRY_ROW
        };
        write_categories(&mut s, &cats, &import_name, full_id, none);
        let fi = admission_facts(
            &a.record.college_province,
            &tp.province,
            difficulty,
            &cats,
            index.poor_exited(id.as_str()),
        );
        write_verdicts(&mut s, tp, Subject::Admission, fi, once_mask);
    }
    let _ = writeln!(s, "\n已计算名单（数据库）中本学期的记录：");
    if stored.is_empty() {
        let _ = writeln!(s, "  无");
    }
    for e in &stored {
        let _ = writeln!(
            s,
            "  {}（{}）{} 元，领取人：{}",
            e.program_name,
            e.clause,
            zizhu_domain::Fen(e.amount_fen),
            payee_zh(&e.payee)
        );
    }
    Ok(s)
}

fn payee_zh(k: &str) -> &'static str {
    zizhu_policy::file::Payee::from_key(k).map_or("未知", |p| p.zh())
}

/// Why a person has no category: a registry row said the school recognised no hardship…
const RECOGNIZED_NONE: &str = "基准日有效的困难名单中没有此人，学校认定为不困难";
/// …the person is not in this term's registry…
const NOT_ENROLLED: &str = "基准日有效的困难名单中没有此人；本学期学籍中没有此人，无学校认定";
/// …or an admittee has no registry row in any imported term up to this one.
const NO_REGISTRY_ROW: &str =
    "基准日有效的困难名单中没有此人；已导入的学籍（至本学期）中没有此人，学校认定无从核对（数据质量 DQ-007）";

/// The categories and the list rows behind them. A detail can hold a number that contains the ID
/// (a 残疾人证 number is the ID plus two digits): long digit runs are masked unless `full_id`.
/// `none` says why there is no category when there is none: what the school's recognition was,
/// or that no registry row could tell.
fn write_categories(
    s: &mut String,
    cats: &[crate::matching::MatchedCategory],
    import_name: &dyn Fn(i64) -> String,
    full_id: bool,
    none: &str,
) {
    if cats.is_empty() {
        let _ = writeln!(s, "认定类别：无（{none}）");
        return;
    }
    let shown = |d: &str| {
        if full_id {
            d.to_string()
        } else {
            zizhu_domain::ids::mask_long_digits(d)
        }
    };
    let _ = writeln!(s, "认定类别：");
    for c in cats {
        if c.list == ListKind::Students {
            let _ = writeln!(
                s,
                "  · {}：{}（学籍，{} 第{}行）",
                c.category.zh(),
                shown(&c.detail),
                import_name(c.import_id),
                c.row_no
            );
        } else {
            let _ = writeln!(
                s,
                "  · {}：{}（{}名单，{} 第{}行）",
                c.category.zh(),
                shown(&c.detail),
                c.list.zh(),
                import_name(c.import_id),
                c.row_no
            );
        }
    }
}

fn write_verdicts(
    s: &mut String,
    tp: &zizhu_policy::TermPolicy,
    subject: Subject,
    fi: FactInput,
    once_mask: u32,
) {
    let verdicts = tp.explain(subject, fi.facts(), once_mask);
    let granted: Vec<String> = verdicts
        .iter()
        .filter_map(|v| v.amount.map(|a| format!("{} {a} 元", v.name)))
        .collect();
    let total: zizhu_domain::Fen = verdicts.iter().filter_map(|v| v.amount).sum();
    if granted.is_empty() {
        let _ = writeln!(s, "结论：本学期不享受任何项目（各项目原因见下）。");
    } else {
        let _ = writeln!(s, "结论：{}；合计 {total} 元。", granted.join("；"));
    }
    for v in verdicts {
        let head = match v.amount {
            Some(a) => format!("✔ 发放 {a} 元"),
            None => "✘ 不发放".to_string(),
        };
        let _ = writeln!(s, "\n【{}】{}（条款 {}）", v.name, head, v.clause);
        for l in v.lines {
            let _ = writeln!(s, "    {l}");
        }
    }
}
